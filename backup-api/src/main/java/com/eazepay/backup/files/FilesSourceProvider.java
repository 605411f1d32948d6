package com.eazepay.backup.files;

import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.nio.file.Path;

/**
 * {@code type: files}: {@code paths: [/etc/payments, /srv/app/.env]} (directories recursively, files as
 * they are), {@code sensitive: true} to mark the data sensitive whatever the file names. Restores into
 * the directory given to {@code --to} (which must not exist or be empty). Stateless, thread-safe.
 */
public final class FilesSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "files";
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode settings) {
        FilesSource.Builder b = FilesSource.builder(name);
        ConfigNode paths = settings.require("paths");
        for (ConfigNode p : paths.items()) {
            b.directory(p.asPath());
        }
        if (settings.bool("sensitive", false)) {
            b.sensitive();
        }
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return FilesTarget.directory(Path.of(to));
    }

    @Override
    public String restoreTargetHelp() {
        return "a directory that does not exist or is empty";
    }
}
