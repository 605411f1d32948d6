package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.ErrorCode;

import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The one mapping from an HTTP status (and the service's own error code, when it sent one) to an
 * {@link ErrorCode} and a retryable flag, shared by every storage target that speaks HTTP (S3, GCS),
 * so the same answer means the same thing whichever cloud gave it. A storage target calls
 * {@link #classify(int, String)} for what is generic and adds what only it knows (which bucket, which
 * region, which IAM permission) to the message.
 *
 * <table>
 *   <caption>Classification</caption>
 *   <tr><th>answer</th><th>code</th><th>retryable</th></tr>
 *   <tr><td>429, 503 {@code SlowDown}, {@code RequestLimitExceeded}, {@code rateLimitExceeded},
 *       {@code userRateLimitExceeded}</td><td>{@code STORAGE_THROTTLED}</td><td>yes</td></tr>
 *   <tr><td>408, {@code RequestTimeout}, {@code InternalError}, 5xx except 501</td>
 *       <td>{@code STORAGE_UNAVAILABLE}</td><td>yes</td></tr>
 *   <tr><td>409 (a concurrent operation on the same bucket or key, e.g. {@code OperationAborted},
 *       {@code ConditionalRequestConflict}, GCS {@code conflict})</td><td>{@code STORAGE_UNAVAILABLE}</td><td>yes</td></tr>
 *   <tr><td>409 that no retry can fix ({@code BucketAlreadyExists}, {@code BucketAlreadyOwnedByYou},
 *       {@code BucketNotEmpty}, {@code InvalidBucketState})</td><td>{@code STORAGE_FAILED}</td><td>no</td></tr>
 *   <tr><td>404 {@code NoSuchBucket} / {@code notFound} on a bucket</td><td>{@code STORAGE_FAILED}</td><td>no</td></tr>
 *   <tr><td>404</td><td>{@code NOT_FOUND}</td><td>no</td></tr>
 *   <tr><td>400, 401, 403, 412, 501, any other</td><td>{@code STORAGE_FAILED}</td><td>no</td></tr>
 * </table>
 *
 * <p>Stateless; thread-safe.
 */
public final class HttpErrors {

    /**
     * The outcome of {@link #classify}.
     *
     * @param code      the error code to report
     * @param retryable whether a retry may succeed
     * @param hint      what it means and what to do, for the message (no resource names, no secrets)
     */
    public record Classification(ErrorCode code, boolean retryable, String hint) {
        public Classification {
            Objects.requireNonNull(code, "code");
            Objects.requireNonNull(hint, "hint");
        }

        /**
         * A {@link BackupException} with this code and retryable flag, whose message is
         * {@code what + " failed: " + hint + detail}.
         *
         * @param what   the operation and resource, e.g. {@code "put s3://bucket/key"}
         * @param detail the answer as the service gave it, e.g. {@code " (HTTP 409 OperationAborted)"}
         * @param cause  the client's exception (already redacted if its message may carry secrets)
         */
        public BackupException toException(String what, String detail, Throwable cause) {
            return new BackupException(code, what + " failed: " + hint + detail, cause, retryable);
        }
    }

    private static final Set<String> THROTTLING = Set.of("slowdown", "requestlimitexceeded", "ratelimitexceeded",
            "userratelimitexceeded", "throttling", "throttlingexception", "toomanyrequests");
    private static final Set<String> TRANSIENT = Set.of("requesttimeout", "internalerror", "serviceunavailable",
            "backenderror");
    private static final Set<String> PERMANENT_CONFLICTS = Set.of("bucketalreadyexists", "bucketalreadyownedbyyou",
            "bucketnotempty", "invalidbucketstate");
    private static final Set<String> MISSING_BUCKET = Set.of("nosuchbucket");

    private HttpErrors() {
    }

    /**
     * Classifies an HTTP answer.
     *
     * @param status      the HTTP status, or 0 if none was received
     * @param serviceCode the service's error code or reason ({@code OperationAborted}, {@code SlowDown},
     *                    {@code rateLimitExceeded}), compared without case; {@code null} if none
     * @return the classification; never {@code null}
     */
    public static Classification classify(int status, String serviceCode) {
        String code = serviceCode == null ? "" : serviceCode.toLowerCase(Locale.ROOT);
        if (status == 429 || THROTTLING.contains(code)) {
            return new Classification(CoreErrorCode.STORAGE_THROTTLED, true,
                    "throttled by the service; retried with backoff (lower the request rate or the parts in flight)");
        }
        if (status == 409) {
            if (PERMANENT_CONFLICTS.contains(code)) {
                return new Classification(CoreErrorCode.STORAGE_FAILED, false,
                        "conflict with the state of the bucket (" + serviceCode + "), which no retry changes");
            }
            return new Classification(CoreErrorCode.STORAGE_UNAVAILABLE, true,
                    "collided with a conflicting operation in progress on the bucket or key; retried");
        }
        if (MISSING_BUCKET.contains(code)) {
            return new Classification(CoreErrorCode.STORAGE_FAILED, false, "the bucket does not exist: create it or fix the name");
        }
        if (status == 408 || TRANSIENT.contains(code)) {
            return new Classification(CoreErrorCode.STORAGE_UNAVAILABLE, true, "timed out or failed on the service side; retried");
        }
        if (status == 501) {
            return new Classification(CoreErrorCode.STORAGE_FAILED, false, "the endpoint does not implement this request");
        }
        if (status >= 500) {
            return new Classification(CoreErrorCode.STORAGE_UNAVAILABLE, true, "failed on the service side; retried");
        }
        return switch (status) {
            case 400 -> new Classification(CoreErrorCode.STORAGE_FAILED, false,
                    "rejected as invalid: check the key, storage class and encryption key settings");
            case 401 -> new Classification(CoreErrorCode.STORAGE_FAILED, false,
                    "not authenticated: check the credentials given to the storage builder or the default chain");
            case 403 -> new Classification(CoreErrorCode.STORAGE_FAILED, false,
                    "access denied: the credentials lack a permission the operation needs");
            case 404 -> new Classification(CoreErrorCode.NOT_FOUND, false, "not found");
            case 412 -> new Classification(CoreErrorCode.STORAGE_FAILED, false,
                    "precondition failed: the object changed or already exists");
            default -> new Classification(CoreErrorCode.STORAGE_FAILED, false,
                    status > 0 ? "unexpected answer from the service" : "no answer from the service");
        };
    }
}
