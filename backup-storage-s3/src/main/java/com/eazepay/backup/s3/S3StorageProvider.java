package com.eazepay.backup.s3;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.StorageProvider;
import com.eazepay.backup.spi.StorageTarget;
import software.amazon.awssdk.services.s3.model.ObjectLockMode;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * {@code type: s3} in the YAML configuration, or {@code s3://bucket/prefix} on the command line.
 * Settings (as on {@link S3Storage.Builder}): {@code bucket} (required), {@code region}, {@code prefix},
 * {@code storageClass}, {@code sseKms} (key id) or {@code sse: none}, {@code objectLock}
 * ({@code governance}/{@code compliance}), {@code endpoint}, {@code pathStyle}, {@code accessKeyId} with
 * {@code secretAccessKey} (use {@code ${AWS_SECRET_ACCESS_KEY}}; default: the AWS default credentials chain),
 * {@code partSize}, {@code uploadMemory} (sizes such as {@code 16m}), {@code partsInFlight},
 * {@code readResumes}, {@code minimumBandwidth} (bytes per second), {@code socketTimeout}, {@code connectTimeout}.
 * Stateless, thread-safe.
 */
public final class S3StorageProvider implements StorageProvider {

    @Override
    public String type() {
        return "s3";
    }

    @Override
    public Set<String> schemes() {
        return Set.of("s3");
    }

    @Override
    public StorageTarget fromConfig(ConfigNode s) {
        S3Storage.Builder b = S3Storage.bucket(s.string("bucket"));
        s.optString("region").ifPresent(b::region);
        s.optString("prefix").ifPresent(b::prefix);
        s.optString("storageClass").ifPresent(b::storageClass);
        s.optString("sseKms").ifPresent(b::sseKms);
        s.get("sse").ifPresent(n -> {
            switch (n.asString()) {
                case "none" -> b.sseNone();
                case "s3", "AES256" -> b.sseS3();
                default -> throw n.error("sse is none or s3 (AES256); for KMS give sseKms: <key id>");
            }
        });
        s.get("objectLock").ifPresent(n -> {
            try {
                b.objectLock(ObjectLockMode.valueOf(n.asString().toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw n.error("objectLock is governance or compliance");
            }
        });
        s.get("endpoint").ifPresent(n -> {
            try {
                b.endpoint(URI.create(n.asString()));
            } catch (IllegalArgumentException e) {
                throw n.error("not a URL");
            }
        });
        if (s.has("pathStyle")) {
            b.pathStyle(s.bool("pathStyle", false));
        }
        Optional<String> keyId = s.optString("accessKeyId");
        Optional<com.eazepay.backup.Secret> secret = s.optSecret("secretAccessKey");
        if (keyId.isPresent() != secret.isPresent()) {
            throw s.error("give accessKeyId and secretAccessKey together (or neither, for the AWS default credentials chain)");
        }
        keyId.ifPresent(k -> b.credentials(k, secret.get()));
        s.optBytes("partSize").ifPresent(b::partSize);
        s.optBytes("uploadMemory").ifPresent(b::uploadMemory);
        s.optInt("partsInFlight").ifPresent(b::partsInFlight);
        s.optInt("readResumes").ifPresent(b::readResumes);
        s.optBytes("minimumBandwidth").ifPresent(b::minimumBandwidth);
        s.optDuration("socketTimeout").ifPresent(b::socketTimeout);
        s.optDuration("connectTimeout").ifPresent(b::connectTimeout);
        return b.build();
    }

    @Override
    public StorageTarget fromUrl(URI url) {
        if (url.getHost() == null || url.getUserInfo() != null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "an S3 URL is s3://bucket/prefix (credentials "
                    + "come from the AWS default chain, never the URL)");
        }
        S3Storage.Builder b = S3Storage.bucket(url.getHost());
        String path = url.getPath() == null ? "" : url.getPath().replaceAll("^/+|/+$", "");
        if (!path.isEmpty()) {
            b.prefix(path);
        }
        return b.build();
    }
}
