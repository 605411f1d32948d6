package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.StorageProvider;
import com.eazepay.backup.spi.StorageTarget;

import java.net.URI;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code type: filesystem} with {@code path: /var/backups/eazepay} (a local disk or a mounted volume),
 * or a {@code file:/path} URL / plain directory on the command line. Stateless, thread-safe.
 */
public final class FileSystemStorageProvider implements StorageProvider {

    @Override
    public String type() {
        return "filesystem";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    @Override
    public StorageTarget fromConfig(ConfigNode settings) {
        ConfigNode path = settings.require("path");
        return FileSystemStorage.at(path.asPath());
    }

    @Override
    public StorageTarget fromUrl(URI url) {
        try {
            return FileSystemStorage.at(Path.of(url));
        } catch (IllegalArgumentException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + url + "' is not a file: URL with an "
                    + "absolute path, such as file:/mnt/offsite", e);
        }
    }
}
