package com.eazepay.backup.benchmarks;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * A source that writes {@code size} bytes of payments-like CSV rows as one stream {@code data.csv}, by
 * repeating a deterministic block (several MiB, far larger than the compressors' windows), so that
 * producing the data costs almost nothing next to the pipeline being measured. Backup only: the
 * benchmark reads backups back with {@code engine.verify(..)}, which decrypts and decompresses fully.
 */
public final class SyntheticPaymentsSource implements BackupSource {

    private final String name;
    private final long size;
    private final byte[] block;

    /**
     * @param name  source name
     * @param size  bytes to write
     * @param block rows to repeat (not copied; never modified)
     */
    public SyntheticPaymentsSource(String name, long size, byte[] block) {
        this.name = Objects.requireNonNull(name, "name");
        if (size < 0) {
            throw new IllegalArgumentException("size must be >= 0, was " + size);
        }
        if (block.length == 0) {
            throw new IllegalArgumentException("block must not be empty");
        }
        this.size = size;
        this.block = block;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "synthetic";
    }

    @Override
    public void backup(BackupContext context) {
        try (OutputStream out = context.newStream("data", "csv")) {
            PaymentRows.writeRepeated(block, size, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        context.fact("bytes", size);
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                "the synthetic benchmark source does not restore; read its backups with engine.verify(..)");
    }

    @Override
    public String toString() {
        return "SyntheticPaymentsSource[" + name + ", " + size + " bytes]";
    }
}
