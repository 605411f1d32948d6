package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.Credentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;

import java.time.Duration;

/**
 * The two clients a {@code GcsStorage} creates: one for metadata calls with the client's own retries off (the
 * storage's {@code RetryPolicy} retries them, so attempts do not multiply), one for transfers whose chunks and
 * reads the client retries inside the session (it knows the offset to resume from).
 *
 * @param metadata for stat, list, delete, holds; closed by the storage
 * @param transfer for uploads and downloads; closed by the storage
 */
public record GcsClients(Storage metadata, Storage transfer) {

    /**
     * Creates both clients.
     *
     * @param projectId      or {@code null} for Application Default Credentials' project
     * @param host           or {@code null} for {@code https://storage.googleapis.com}
     * @param credentials    or {@code null}: Application Default Credentials, or none with a {@code host}
     * @param transferAttempts attempts per chunk or read inside a transfer
     * @throws BackupException {@code INVALID_CONFIGURATION} if the client cannot be created (no credentials)
     */
    public static GcsClients create(String bucket, String projectId, String host, Credentials credentials,
                                    Duration connectTimeout, Duration readTimeout, Duration retryBudget,
                                    int transferAttempts) {
        StorageOptions.Builder options = StorageOptions.http();
        if (projectId != null) {
            options.setProjectId(projectId);
        }
        if (host != null) {
            options.setHost(host);
        }
        if (credentials != null) {
            options.setCredentials(credentials);
        } else if (host != null) {
            options.setCredentials(NoCredentials.getInstance());
        }
        options.setTransportOptions(HttpTransportOptions.newBuilder()
                .setConnectTimeout((int) connectTimeout.toMillis())
                .setReadTimeout((int) readTimeout.toMillis()).build());
        try {
            RetrySettings defaults = StorageOptions.getDefaultRetrySettings().toBuilder()
                    .setTotalTimeoutDuration(retryBudget)
                    .setInitialRpcTimeoutDuration(readTimeout)
                    .setMaxRpcTimeoutDuration(retryBudget).build();
            // metadata calls: retried by our RetryPolicy only, so attempts do not multiply
            Storage metadata = options.setRetrySettings(defaults.toBuilder().setMaxAttempts(1).build()).build().getService();
            // upload chunks: retried inside the resumable session, which knows where to resume
            Storage transfer = options.setRetrySettings(defaults.toBuilder()
                    .setMaxAttempts(transferAttempts).build()).build().getService();
            return new GcsClients(metadata, transfer);
        } catch (RuntimeException e) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "cannot create the Google Cloud Storage"
                    + " client for gs://" + bucket + " (" + e.getClass().getSimpleName() + "); configure"
                    + " credentials(..) or Application Default Credentials", e, false);
        }
    }
}
