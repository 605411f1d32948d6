package com.eazepay.backup.s3.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.HttpErrors;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.S3Exception;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;

/**
 * Translates AWS SDK exceptions into {@link BackupException}s at the SPI boundary. Messages name the
 * bucket, the operation and what to do; they never contain credentials (only the S3 error code and
 * the S3 error message, which carry no secrets, are copied).
 */
public final class S3Errors {

    /** The S3 operations we call, each with the IAM action it needs (for access-denied messages). */
    public enum Op {
        PUT("put", "s3:PutObject"),
        MULTIPART("multipart upload", "s3:PutObject (and s3:AbortMultipartUpload to clean up)"),
        ABORT("abort multipart upload", "s3:AbortMultipartUpload"),
        GET("get", "s3:GetObject"),
        STAT("stat", "s3:GetObject"),
        LIST("list", "s3:ListBucket"),
        DELETE("delete", "s3:DeleteObject"),
        OBJECT_LOCK_CHECK("read the Object Lock configuration of", "s3:GetBucketObjectLockConfiguration"),
        RETENTION("put with Object Lock retention", "s3:PutObject and s3:PutObjectRetention"),
        LIST_UPLOADS("list multipart uploads", "s3:ListBucketMultipartUploads"),
        LEGAL_HOLD("set the legal hold of", "s3:PutObjectLegalHold");

        private final String verb;
        private final String iamAction;

        Op(String verb, String iamAction) {
            this.verb = verb;
            this.iamAction = iamAction;
        }

        public String verb() {
            return verb;
        }

        public String iamAction() {
            return iamAction;
        }
    }

    private S3Errors() {
    }

    /**
     * Translates {@code e}, thrown by {@code op} on {@code key} (may be {@code null} for bucket-level
     * operations) of {@code bucket}.
     *
     * @param location credential-free description, e.g. {@code s3://bucket/prefix/key}
     * @param region   the region the client talks to, for messages
     */
    public static BackupException translate(Op op, String bucket, String location, String region, RuntimeException e) {
        String what = op.verb() + " " + location;
        if (e instanceof S3Exception s3) {
            int status = s3.statusCode();
            String code = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorCode();
            String s3Message = s3.awsErrorDetails() == null ? null : s3.awsErrorDetails().errorMessage();
            String detail = " (HTTP " + status + (code == null ? "" : " " + code)
                    + (s3Message == null || s3Message.isBlank() ? "" : ": " + s3Message) + ")";
            if ("NoSuchBucket".equals(code)) {
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: bucket '" + bucket
                        + "' does not exist in region " + region + ": create it or fix the name" + detail, e, false);
            }
            if ("NoSuchKey".equals(code) || (status == 404 && (op == Op.GET || op == Op.STAT) && code == null)) {
                return new BackupException(CoreErrorCode.NOT_FOUND, "no object " + location + detail, e);
            }
            if ("PermanentRedirect".equals(code) || status == 301
                    || "AuthorizationHeaderMalformed".equals(code) || "IllegalLocationConstraintException".equals(code)) {
                Optional<String> right = s3.awsErrorDetails() == null || s3.awsErrorDetails().sdkHttpResponse() == null
                        ? Optional.empty()
                        : s3.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region");
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: bucket '" + bucket
                        + "' is not in region " + region
                        + right.map(r -> ": it is in " + r + "; call region(\"" + r + "\")")
                        .orElse(": set region(..) to the bucket's region")
                        + detail, e, false);
            }
            if ("RequestTimeTooSkewed".equals(code) || "RequestExpired".equals(code)) {
                Optional<String> serverDate = s3.awsErrorDetails() == null || s3.awsErrorDetails().sdkHttpResponse() == null
                        ? Optional.empty() : s3.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("Date");
                // The SDK has already corrected this client's signing time from the response's Date header
                // (ClockSkewAdjuster): the next attempt is signed with the server's time.
                return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, what + " failed: this machine's clock is off"
                        + " (" + code + ": the request time differs from S3's" + serverDate.map(d -> ", server time " + d).orElse("")
                        + "): fix the clock (NTP); the signing time was corrected from S3's Date header and the request is"
                        + " retried" + detail, e, true);
            }
            if ("SignatureDoesNotMatch".equals(code)) {
                // Retryable: a byte altered in transit also breaks the signature. If it persists after the
                // retries, it is the secret key: the message says both, credentials first.
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: the AWS credentials were"
                        + " rejected for bucket '" + bucket + "' or the request was altered in transit (SignatureDoesNotMatch:"
                        + " S3 computed a different signature; retried): if it persists, check the secret access key given"
                        + " to credentials(..) or the default provider chain, and any proxy in between", e, true);
            }
            if ("BadDigest".equals(code) || "XAmzContentSHA256Mismatch".equals(code) || "IncompleteBody".equals(code)
) {
                return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, what + " failed: the body S3 received does"
                        + " not match its checksum (" + code + "): corrupted or cut in transit; retried" + detail, e, true);
            }
            if (status == 409) {
                // one rule for S3 and GCS: a conflicting operation in progress is retried, a bucket-state conflict is not
                return HttpErrors.classify(status, code).toException(what, detail, e);
            }
            if ("TemporaryRedirect".equals(code) || status == 307) {
                return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, what + " was redirected temporarily (307:"
                        + " the bucket's DNS is still propagating, typically right after it was created); retried" + detail,
                        e, true);
            }
            if ("InvalidObjectState".equals(code)) {
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: the object is archived"
                        + " (GLACIER / DEEP_ARCHIVE / an archive tier) and cannot be read until it is restored:"
                        + " aws s3api restore-object --bucket " + bucket + " --key <key> --restore-request Days=7, then read"
                        + " it again when the restore completed" + detail, e, false);
            }
            if (isKms(code, s3Message)) {
                if (code != null && code.contains("Throttling")) {
                    return new BackupException(CoreErrorCode.STORAGE_THROTTLED, what + " was throttled by KMS" + detail
                            + ": retry with backoff or lower partsInFlight(..)", e, true);
                }
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: the SSE-KMS key refused the"
                        + " request (" + (code == null ? "HTTP " + status : code) + "): the credentials need "
                        + (op == Op.GET || op == Op.STAT ? "kms:Decrypt" : "kms:GenerateDataKey (and kms:Decrypt for multipart uploads)")
                        + " on the key given to sseKms(..), and the key must be enabled and in the bucket's region" + detail,
                        e, false);
            }
            if ("InvalidAccessKeyId".equals(code)
                    || "ExpiredToken".equals(code) || "InvalidToken".equals(code)) {
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: the AWS credentials were rejected"
                        + " for bucket '" + bucket + "' (" + code + "): check the access key, secret key or session token"
                        + " given to credentials(..) or the default provider chain", e, false);
            }
            if (status == 403) {
                return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: access denied to bucket '" + bucket
                        + "' for operation " + op.verb() + ": the credentials need IAM permission " + op.iamAction()
                        + " on arn:aws:s3:::" + bucket + (op == Op.LIST || op == Op.LIST_UPLOADS || op == Op.OBJECT_LOCK_CHECK
                        ? "" : "/*") + detail, e, false);
            }
            // throttling (429, SlowDown), 5xx and timeouts, everything else: the mapping shared with GCS
            return HttpErrors.classify(status, code).toException(what, detail, e);
        }
        if (isIo(e)) {
            return new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, what + " failed: network error talking to S3 ("
                    + rootMessage(e) + "); retrying may help", e, true);
        }
        if (e instanceof SdkClientException && e.getMessage() != null && e.getMessage().contains("credentials")) {
            return new BackupException(CoreErrorCode.INVALID_CONFIGURATION, what + " failed: no usable AWS credentials"
                    + " were found: pass credentials(..) or configure the default chain (AWS_ACCESS_KEY_ID/"
                    + "AWS_SECRET_ACCESS_KEY, ~/.aws/credentials, an instance or pod role)", e, false);
        }
        return new BackupException(CoreErrorCode.STORAGE_FAILED, what + " failed: " + e.getClass().getSimpleName()
                + ": " + e.getMessage(), e, e instanceof SdkException sdk && sdk.retryable());
    }

    private static boolean isKms(String code, String message) {
        if (code != null && code.startsWith("KMS.")) {
            return true;
        }
        return ("AccessDenied".equals(code) || "KMS.AccessDeniedException".equals(code)) && message != null
                && (message.contains("KMS") || message.contains("kms:"));
    }

    private static boolean isIo(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
