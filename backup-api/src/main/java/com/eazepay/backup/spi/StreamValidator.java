package com.eazepay.backup.spi;

import com.eazepay.backup.CheckResult;
import com.eazepay.backup.Manifest;

import java.io.InputStream;
import java.util.List;

/**
 * A source type's own format validator, run by integrity verification
 * ({@code engine.verify(source).integrity()}) on every decoded stream of a backup, without restoring it:
 * {@code pg_restore --list} for PostgreSQL archives, the RDB checksum and structure for Redis, the tar walk
 * for files. The engine decrypts and decompresses the stream, hands the plaintext to {@link #validate}, then
 * reads whatever the validator left unread and checks the stored object's size and SHA-256, so a validator
 * may stop reading as soon as it has its verdict. Implementations are stateless and thread-safe.
 */
@FunctionalInterface
public interface StreamValidator {

    /**
     * Validates one decoded stream.
     *
     * @param streamName the stream's name in the manifest ({@code db}, {@code globals}, {@code dump.rdb})
     * @param plaintext  the decoded stream; the validator need not read it to its end and must not close it
     * @param manifest   the backup's manifest (facts such as tool versions, counts)
     * @return what was checked and how it went; an empty list when this stream has no format to check.
     *         A stream the format's reader rejects is a failed {@link CheckResult}, not an exception; an
     *         exception is for failures of the validator itself (tool missing: {@code SOURCE_FAILED}), or the
     *         engine's own verdict on the stored bytes ({@code CHECKSUM_MISMATCH}) surfacing through the stream
     */
    List<CheckResult> validate(String streamName, InputStream plaintext, Manifest manifest);
}
