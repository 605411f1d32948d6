package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.HttpErrors;
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
            if (c instanceof Redacted r && r.status > 0) {
                return r.status;
            }
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
                                            Throwable original) {
        if (original instanceof BackupException be) {
            return be;
        }
        // the client's messages carry resumable session URLs (upload ids) and request dumps: keep neither,
        // not even in the cause chain, which reaches logs with every stack trace
        Throwable failure = original;
        Throwable cause = redacted(original);
        int status = status(failure);
        String detail = serverMessage(failure);
        String what = operation + " " + resource;
        if (status == 400 || status == 401 || status == 403 || status == 404 || status == 408 || status == 409
                || status == 412 || status == 429 || status >= 500) {
            // code and retryable flag: the mapping shared with S3; the message adds what GCS users need
            HttpErrors.Classification c = HttpErrors.classify(status, reason(failure));
            String message = switch (status) {
                case 400 -> what + " was rejected as invalid (400" + detail + "); check the key, storage class and KMS key name";
                case 401 -> what + " failed: not authenticated (401" + detail + "); check the credentials"
                        + " (Application Default Credentials: gcloud auth application-default login,"
                        + " or GOOGLE_APPLICATION_CREDENTIALS)";
                case 403 -> what + " failed: permission denied (403" + detail + "); the principal needs "
                        + permission + " on bucket '" + bucket + "'";
                case 404 -> what + " failed: not found (404" + detail + ")";
                case 429 -> what + " was throttled (429" + detail + "); retry with backoff or lower the request rate";
                default -> what + " failed: " + c.hint() + " (" + status + detail + ")";
            };
            // classified on the whole server text (the bucket error may follow the first line), never quoted whole
            if (status == 404 && rawServerMessage(failure).toLowerCase(Locale.ROOT).contains("bucket")) {
                return bucketMissing(what, bucket, cause);
            }
            return new BackupException(c.code(), message, cause, c.retryable());
        }
        if (isNetwork(failure)) {
            return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE,
                    what + " failed: cannot reach Google Cloud Storage (" + rootMessage(failure) + "); retryable",
                    cause, true);
        }
        if (isInterrupted(failure)) {
            Thread.currentThread().interrupt();
            return new BackupException(CoreErrorCode.INTERRUPTED, what + " was interrupted", cause, false);
        }
        BaseServiceException se = failure instanceof BaseServiceException b ? b : null;
        boolean retryable = se != null && se.isRetryable();
        return new BackupException(retryable ? CoreErrorCode.STORAGE_UNAVAILABLE : CoreErrorCode.STORAGE_FAILED,
                what + " failed (" + (status > 0 ? status + detail : rootMessage(failure)) + ")", cause, retryable);
    }

    /** The service's reason for the failure ({@code rateLimitExceeded}, {@code conflict}), or {@code null}. */
    private static String reason(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException s && s.getReason() != null) {
                return s.getReason();
            }
        }
        return null;
    }

    /** The message for a missing bucket. */
    public static BackupException bucketMissing(String what, String bucket, Throwable cause) {
        return new BackupException(CoreErrorCode.STORAGE_FAILED,
                what + " failed: bucket '" + bucket + "' does not exist; create it"
                        + " (gcloud storage buckets create gs://" + bucket + ") or fix the bucket name", cause, false);
    }

    private static String serverMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException && c.getMessage() != null && !c.getMessage().isBlank()) {
                return ": " + oneLine(redact(c.getMessage()));
            }
        }
        return "";
    }

    private static String rawServerMessage(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof BaseServiceException && c.getMessage() != null) {
                return c.getMessage();
            }
        }
        return "";
    }

    private static final java.util.regex.Pattern URL = java.util.regex.Pattern.compile("(?i)\\b(https?://[^\\s?#\"'<>]*)[?#][^\\s\"'<>]*");
    private static final java.util.regex.Pattern SECRETS = java.util.regex.Pattern.compile(
            "(?i)(upload_?id[=:\"\\s]+|access_token[=:\"\\s]+|bearer\\s+|x-goog-signature=|x-guploader-uploadid:\\s*)[^\\s&\"',;)]+");
    private static final java.util.regex.Pattern TOKEN = java.util.regex.Pattern.compile("ya29\\.[A-Za-z0-9._\\-]+");
    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile(
            "-----BEGIN [A-Z ]*PRIVATE KEY-----.*?(-----END [A-Z ]*PRIVATE KEY-----|$)", java.util.regex.Pattern.DOTALL);

    /**
     * {@code text} without what must never reach a message or a log: only its first line (request and
     * response dumps follow on the next lines), every URL's query (a resumable session URL carries its
     * {@code upload_id}, a signed URL its signature), upload ids, bearer and access tokens, private keys.
     */
    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String s = KEY.matcher(text).replaceAll("<private key removed>");
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl).stripTrailing() + " [request/response details removed]";
        }
        s = URL.matcher(s).replaceAll("$1?<query removed>");
        s = SECRETS.matcher(s).replaceAll("$1<removed>");
        s = TOKEN.matcher(s).replaceAll("<token removed>");
        return s;
    }

    /**
     * A copy of {@code t}'s chain (messages {@link #redact redacted}, stack traces kept) for the cause of our
     * exceptions: the client's exceptions themselves are never attached.
     */
    public static Throwable redacted(Throwable t) {
        return redacted(t, 0);
    }

    private static Throwable redacted(Throwable t, int depth) {
        if (t == null || t instanceof Redacted || t instanceof BackupException) {
            return t;
        }
        Redacted r = new Redacted(t.getClass().getName() + (t.getMessage() == null ? "" : ": " + redact(t.getMessage())),
                t instanceof BaseServiceException, redact(t.getMessage()), status(t),
                t.getCause() != null && t.getCause() != t && depth < 20 ? redacted(t.getCause(), depth + 1) : null);
        r.setStackTrace(t.getStackTrace());
        for (Throwable sup : t.getSuppressed()) {
            if (depth < 20) {
                r.addSuppressed(redacted(sup, depth + 1));
            }
        }
        return r;
    }

    /** A failure of the Google client, its message redacted; its class name leads its text. */
    public static final class Redacted extends RuntimeException {
        private final boolean serviceException;
        private final String redactedMessage;
        private final int status;

        Redacted(String text, boolean serviceException, String redactedMessage, int status, Throwable cause) {
            super(text, cause);
            this.serviceException = serviceException;
            this.redactedMessage = redactedMessage;
            this.status = status;
        }

        /** The HTTP status of the original failure, or 0. */
        public int status() {
            return status;
        }

        @Override
        public String getLocalizedMessage() {
            return super.getMessage();
        }

        /** The original message, redacted (without the class name). */
        public String redactedMessage() {
            return redactedMessage;
        }

        @Override
        public String toString() {
            return "(redacted) " + getMessage();
        }
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + oneLine(redact(root.getMessage())));
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
