package com.eazepay.backup.internal.io;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class VerifyingInputStreamTest {

    /** A storage stream that delivers 10 bytes, fails once, then reports end of stream (as a reset SDK stream may). */
    private static final class BreakingStream extends InputStream {
        private int calls;

        @Override
        public int read() {
            throw new UnsupportedOperationException();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            calls++;
            if (calls == 1) {
                return Math.min(10, len);
            }
            if (calls == 2) {
                throw new IOException("Connection reset");
            }
            return -1;
        }
    }

    @Test
    void aStorageReadFailureIsStorageUnavailableAndNeverBecomesATruncationVerdictOnLaterReads() throws IOException {
        VerifyingInputStream in = new VerifyingInputStream(new BreakingStream(), "src/1/data.zst", 100, "00");
        byte[] buf = new byte[64];
        assertThat(in.read(buf, 0, buf.length)).isEqualTo(10);
        assertThatThrownBy(() -> in.read(buf, 0, buf.length)).isInstanceOfSatisfying(BackupException.class, e -> {
            assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
            assertThat(e.isRetryable()).isTrue();
        });
        // what a decoder's error handling does next: drain and verify. Still the storage failure, not CHECKSUM_MISMATCH.
        assertThatThrownBy(in::drainAndVerify).isInstanceOfSatisfying(BackupException.class,
                e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE));
        assertThat(in.storageFailure()).isNotNull();
        assertThat(in.verified()).isFalse();
    }

    @Test
    void aRuntimeFailureOfTheStorageStreamIsStorageUnavailable() {
        InputStream sdkLike = new InputStream() {
            @Override
            public int read() {
                throw new IllegalStateException("Connection pool shut down");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                throw new IllegalStateException("Connection pool shut down");
            }
        };
        VerifyingInputStream in = new VerifyingInputStream(sdkLike, "src/1/data.zst", 100, "00");
        assertThatThrownBy(in::drainAndVerify).isInstanceOfSatisfying(BackupException.class,
                e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE));
    }
}
