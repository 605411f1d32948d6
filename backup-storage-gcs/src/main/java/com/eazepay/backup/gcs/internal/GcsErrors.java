package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.google.cloud.BaseServiceException;
import com.google.cloud.storage.StorageException;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Translates Google Cloud Storage client failures into {@link BackupException}s with a precise
 * {@link CoreErrorCode}, a retryable flag and a message that names the operation, the resource and
 * what to do. Messages never contain credentials: only the server's error text, which does not
 * echo tokens, is quoted.
 */
public final class GcsErrors {

    private GcsErrors() {
    }

    /** The HTTP status of a client failure anywhere in {@code t}'s cause chain, or 0 if none. */
    public static int status(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException s && s.getCode() > 0) {
                return s.getCode();
            }
            if (c instanceof com.google.api.client.http.HttpResponseException h) {
                return h.getStatusCode();
            }
            if (c instanceof java.nio.file.FileAlreadyExistsException) {
                // how the client library's LocalStorageHelper reports a failed ifGenerationMatch=0
                return 412;
            }
        }
        return 0;
    }

    /** The first {@link StorageException} in {@code t}'s cause chain, or {@code null}. */
    public static StorageException storageException(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof StorageException s) {
                return s;
            }
        }
        return null;
    }

    /**
     * Translates a client failure.
     *
     * @param operation  what was being done, e.g. {@code put}
     * @param resource   credential-free resource, e.g. {@code gs://bucket/prefix/key}
     * @param bucket     the bucket name, for the "bucket does not exist" message
     * @param permission the IAM permission the operation needs, e.g. {@code storage.objects.create}
     */
    public static BackupException translate(String operation, String resource, String bucket, String permission,
                                            Throwable failure) {
        if (failure instanceof BackupException be) {
            return be;
        }
        int status = status(failure);
        String detail = serverMessage(failure);
        String what = operation + " " + resource;
        switch (status) {
            case 400:
                return new BackupException(CoreErrorCode.STORAGE_FAILED,
                        what + " was rejected as invalid (400" + detail + "); check the key, storage class and KMS key name",
                        failure, false);
            case 401:
                return new BackupException(CoreErrorCode.STORAGE_FAILED,
                        what + " failed: not authenticated (401" + detail + "); check the credentials"
                                + " (Application Default Credentials: gcloud auth application-default login,"
                                + " or GOOGLE_APPLICATION_CREDENTIALS)", failure, false);
            case 403:
                return new BackupException(CoreErrorCode.STORAGE_FAILED,
                        what + " failed: permission denied (403" + detail + "); the principal needs "
                                + permission + " on bucket '" + bucket + "'", failure, false);
            case 404:
                if (detail.toLowerCase(Locale.ROOT).contains("bucket")) {
                    return bucketMissing(what, bucket, failure);
                }
                return new BackupException(CoreErrorCode.NOT_FOUND,
                        what + " failed: not found (404" + detail + ")", failure, false);
            case 408:
                return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE,
                        what + " timed out (408" + detail + "); will succeed on retry if the network recovers",
                        failure, true);
            case 409:
                return new BackupException(CoreErrorCode.STORAGE_FAILED,
                        what + " conflicted with a concurrent change (409" + detail + ")", failure, false);
            case 412:
                return new BackupException(CoreErrorCode.STORAGE_FAILED,
                        what + " failed: precondition failed (412" + detail + "): the object changed or already exists",
                        failure, false);
            case 429:
                return new BackupException(CoreErrorCode.STORAGE_THROTTLED,
                        what + " was throttled (429" + detail + "); retry with backoff or lower the request rate",
                        failure, true);
            default:
                break;
        }
        if (status >= 500) {
            return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE,
                    what + " failed on the server (" + status + detail + "); retryable", failure, true);
        }
        if (isNetwork(failure)) {
            return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE,
                    what + " failed: cannot reach Google Cloud Storage (" + rootMessage(failure) + "); retryable",
                    failure, true);
        }
        if (isInterrupted(failure)) {
            Thread.currentThread().interrupt();
            return new BackupException(CoreErrorCode.INTERRUPTED, what + " was interrupted", failure, false);
        }
        BaseServiceException se = failure instanceof BaseServiceException b ? b : null;
        boolean retryable = se != null && se.isRetryable();
        return new BackupException(retryable ? CoreErrorCode.STORAGE_UNAVAILABLE : CoreErrorCode.STORAGE_FAILED,
                what + " failed (" + (status > 0 ? status + detail : rootMessage(failure)) + ")", failure, retryable);
    }

    /** The message for a missing bucket. */
    public static BackupException bucketMissing(String what, String bucket, Throwable cause) {
        return new BackupException(CoreErrorCode.STORAGE_FAILED,
                what + " failed: bucket '" + bucket + "' does not exist; create it"
                        + " (gcloud storage buckets create gs://" + bucket + ") or fix the bucket name", cause, false);
    }

    private static String serverMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException s && s.getMessage() != null && !s.getMessage().isBlank()) {
                return ": " + oneLine(s.getMessage());
            }
        }
        return "";
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + oneLine(root.getMessage()));
    }

    private static String oneLine(String s) {
        String line = s.replace('\n', ' ').replace('\r', ' ').trim();
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static boolean isNetwork(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof SocketTimeoutException
                    || c instanceof UnknownHostException || c instanceof java.net.SocketException
                    || (c instanceof IOException && !(c instanceof InterruptedIOException)
                        && c.getClass().getName().startsWith("java.net"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isInterrupted(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof InterruptedException || c instanceof java.nio.channels.ClosedByInterruptException
                    || (c instanceof InterruptedIOException && !(c instanceof SocketTimeoutException))) {
                return true;
            }
        }
        return false;
    }
}
