package com.eazepay.backup.files;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;

import java.nio.file.Path;

/**
 * Restores {@code files} backups ({@link FilesSource}) into a {@link FilesTarget} without the
 * original source configured. Registered through {@code META-INF/services}; applications do not call it.
 */
public final class FilesSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "files";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // the paths of a files source matter only to backups: restore reads the tar and writes under the target
        FilesSource files = FilesSource.builder(manifest.source()).directory(Path.of("restore-only")).build();
        return SourceProvider.restoreOnly(files, target -> { });
    }
}
