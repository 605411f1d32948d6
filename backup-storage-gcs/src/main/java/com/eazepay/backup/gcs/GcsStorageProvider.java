package com.eazepay.backup.gcs;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.StorageProvider;
import com.eazepay.backup.spi.StorageTarget;
import com.google.auth.oauth2.GoogleCredentials;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * {@code type: gcs} in the YAML configuration, or {@code gs://bucket/prefix} on the command line.
 * Settings (as on {@link GcsStorage.Builder}): {@code bucket} (required), {@code prefix}, {@code projectId},
 * {@code storageClass}, {@code kmsKeyName}, {@code temporaryHold}, {@code eventBasedHold},
 * {@code credentialsFile} (a service-account JSON file; default: application default credentials),
 * {@code host}, {@code chunkSize}, {@code readTimeout}, {@code connectTimeout}, {@code retryBudget},
 * {@code minimumBandwidth}. Stateless, thread-safe.
 */
public final class GcsStorageProvider implements StorageProvider {

    @Override
    public String type() {
        return "gcs";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("gs", "gcs");
    }

    @Override
    public StorageTarget fromConfig(ConfigNode s) {
        GcsStorage.Builder b = GcsStorage.bucket(s.string("bucket"));
        s.optString("prefix").ifPresent(b::prefix);
        s.optString("projectId").ifPresent(b::projectId);
        s.optString("storageClass").ifPresent(b::storageClass);
        s.optString("kmsKeyName").ifPresent(b::kmsKeyName);
        if (s.has("temporaryHold")) {
            b.temporaryHold(s.bool("temporaryHold", false));
        }
        if (s.has("eventBasedHold")) {
            b.eventBasedHold(s.bool("eventBasedHold", false));
        }
        s.get("credentialsFile").ifPresent(n -> {
            Path file = n.asPath();
            try (InputStream in = Files.newInputStream(file)) {
                b.credentials(GoogleCredentials.fromStream(in));
            } catch (IOException e) {
                throw n.error("cannot read service-account credentials from " + file + " (" + e.getClass().getSimpleName() + ")");
            }
        });
        s.optString("host").ifPresent(b::host);
        s.optBytes("chunkSize").ifPresent(c -> b.chunkSize(Math.toIntExact(c)));
        s.optDuration("readTimeout").ifPresent(b::readTimeout);
        s.optDuration("connectTimeout").ifPresent(b::connectTimeout);
        s.optDuration("retryBudget").ifPresent(b::retryBudget);
        s.optBytes("minimumBandwidth").ifPresent(b::minimumBandwidth);
        return b.build();
    }

    @Override
    public StorageTarget fromUrl(URI url) {
        if (url.getHost() == null || url.getUserInfo() != null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "a GCS URL is gs://bucket/prefix (credentials "
                    + "come from application default credentials, never the URL)");
        }
        GcsStorage.Builder b = GcsStorage.bucket(url.getHost());
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty()) {
            b.prefix(path);
        }
        return b.build();
    }
}
