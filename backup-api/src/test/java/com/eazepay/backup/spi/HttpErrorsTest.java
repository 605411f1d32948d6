package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** The one HTTP → ErrorCode mapping S3 and GCS share: one row per status (and service code that changes it). */
class HttpErrorsTest {

    @ParameterizedTest(name = "{0} {1} -> {2} retryable={3}")
    @CsvSource(nullValues = "-", value = {
            "400, -, STORAGE_FAILED, false",
            "400, RequestTimeout, STORAGE_UNAVAILABLE, true",
            "401, -, STORAGE_FAILED, false",
            "403, -, STORAGE_FAILED, false",
            "404, -, NOT_FOUND, false",
            "404, NoSuchBucket, STORAGE_FAILED, false",
            "408, -, STORAGE_UNAVAILABLE, true",
            "409, -, STORAGE_UNAVAILABLE, true",
            "409, OperationAborted, STORAGE_UNAVAILABLE, true",
            "409, ConditionalRequestConflict, STORAGE_UNAVAILABLE, true",
            "409, conflict, STORAGE_UNAVAILABLE, true",
            "409, BucketAlreadyOwnedByYou, STORAGE_FAILED, false",
            "409, BucketNotEmpty, STORAGE_FAILED, false",
            "412, -, STORAGE_FAILED, false",
            "429, -, STORAGE_THROTTLED, true",
            "403, rateLimitExceeded, STORAGE_THROTTLED, true",
            "500, -, STORAGE_UNAVAILABLE, true",
            "500, InternalError, STORAGE_UNAVAILABLE, true",
            "501, -, STORAGE_FAILED, false",
            "502, -, STORAGE_UNAVAILABLE, true",
            "503, -, STORAGE_UNAVAILABLE, true",
            "503, SlowDown, STORAGE_THROTTLED, true",
            "504, -, STORAGE_UNAVAILABLE, true",
            "418, -, STORAGE_FAILED, false",
            "0, -, STORAGE_FAILED, false"})
    void eachStatusHasOneCodeAndRetryableFlagForEveryHttpStorage(int status, String serviceCode, CoreErrorCode code,
                                                                 boolean retryable) {
        HttpErrors.Classification c = HttpErrors.classify(status, serviceCode);
        assertThat(c.code()).isEqualTo(code);
        assertThat(c.retryable()).isEqualTo(retryable);
        assertThat(c.hint()).isNotBlank();
        BackupException e = c.toException("put s3://b/k", " (HTTP " + status + ")", null);
        assertThat(e.errorCode()).isEqualTo(code);
        assertThat(e.isRetryable()).isEqualTo(retryable);
        assertThat(e.getMessage()).startsWith("put s3://b/k failed: ").endsWith("(HTTP " + status + ")");
    }

    @ParameterizedTest
    @CsvSource({"slowdown", "SLOWDOWN", "SlowDown"})
    void serviceCodesAreComparedWithoutCase(String code) {
        assertThat(HttpErrors.classify(503, code).code()).isEqualTo(CoreErrorCode.STORAGE_THROTTLED);
    }
}
