package com.eazepay.backup.spi;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * For {@link StreamValidator} implementations: wraps the plaintext and remembers the failures the
 * engine's stream raised (a {@code CHECKSUM_MISMATCH} on the stored bytes, a storage failure), so a
 * validator can tell them from its format reader's verdicts: {@code if (input.raised(e)) throw e;} then
 * report the reader's exception as a failed check. Does not close the wrapped stream. Not thread-safe.
 */
public final class ValidatorInput extends FilterInputStream {

    private Throwable raised;

    public ValidatorInput(InputStream in) {
        super(in);
    }

    @Override
    public int read() throws IOException {
        try {
            return super.read();
        } catch (IOException | RuntimeException e) {
            raised = e;
            throw e;
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        try {
            return super.read(b, off, len);
        } catch (IOException | RuntimeException e) {
            raised = e;
            throw e;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        try {
            return super.skip(n);
        } catch (IOException | RuntimeException e) {
            raised = e;
            throw e;
        }
    }

    /** Whether {@code t}, or one of its causes, is a failure the wrapped stream raised (not the reader's verdict). */
    public boolean raised(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c == raised) {
                return true;
            }
        }
        return false;
    }

    /** Leaves the wrapped stream open: the engine reads the rest of it to verify the stored object. */
    @Override
    public void close() {
        // not closed here
    }
}
