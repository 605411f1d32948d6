package com.eazepay.backup.files;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
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
        return restoreOnly(manifest.source(), "files", files);
    }

    /** A source that restores with {@code delegate} and refuses to take backups. */
    static BackupSource restoreOnly(String name, String type, BackupSource delegate) {
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return type;
            }

            @Override
            public void backup(BackupContext context) {
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + name + "' is known from its backups only "
                        + "and restores only: configure a " + type + " source to take backups");
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                return delegate.restore(context, target);
            }

            @Override
            public String toString() {
                return "restore-only " + type + " source '" + name + "'";
            }
        };
    }
}
