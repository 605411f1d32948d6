package com.eazepay.backup.files;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;

/**
 * Restores {@code command} backups ({@link CommandSource}) into a {@link StreamTarget} without the
 * original source configured. Registered through {@code META-INF/services}; applications do not call it.
 */
public final class CommandSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "command";
    }

    @Override
    public BackupSource forRestore(Manifest manifest) {
        // the command matters only to backups; the restore needs the stream's name, which the manifest has
        CommandSource.Builder b = CommandSource.builder(manifest.source(), "true");
        if (!manifest.streams().isEmpty()) {
            b.stream(manifest.streams().get(0).name(), "bin"); // the extension matters only to backups
        }
        return SourceProvider.restoreOnly(b.build(), target -> { });
    }
}
