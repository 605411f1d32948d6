package com.eazepay.backup.s3.internal;

import com.eazepay.backup.BackupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The body of a {@code GetObject} that survives connection resets: when the connection drops (an
 * {@link IOException}, or the body ending before its {@code Content-Length}), the rest is fetched with a
 * ranged {@code GetObject} pinned to the first response's ETag ({@code If-Match}), so a resumed read can
 * never splice two versions of an object. At most {@code maxResumes} resumes per stream; beyond that,
 * or when the object changed (412), {@link #read} throws an {@link IOException} saying so, never a short
 * read. {@link #close()} before the end aborts the response (the connection is dropped) instead of
 * downloading the rest to reuse the connection.
 */
public final class ResumingObjectStream extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger(ResumingObjectStream.class);

    /** Fetches {@code bytes=from-to} (inclusive) of the object if its ETag still is {@code eTag}. */
    @FunctionalInterface
    public interface RangedGet {
        ResponseInputStream<GetObjectResponse> get(long from, long toInclusive, String eTag);
    }

    private final String location;
    private final RangedGet rangedGet;
    private final int maxResumes;
    private final long start;
    private final long end; // exclusive: start + length of the first response
    private final String eTag;
    private ResponseInputStream<GetObjectResponse> current;
    private long position; // bytes delivered so far
    private int resumes;
    private boolean closed;

    /**
     * @param first      the first response, for bytes from {@code start}
     * @param start      the offset the first response starts at
     * @param location   credential-free name of the object, for messages
     * @param maxResumes resumes allowed after connection failures, ≥ 0
     */
    public ResumingObjectStream(ResponseInputStream<GetObjectResponse> first, long start, String location,
                                int maxResumes, RangedGet rangedGet) {
        this.current = first;
        this.start = start;
        this.location = location;
        this.maxResumes = maxResumes;
        this.rangedGet = rangedGet;
        GetObjectResponse r = first.response();
        this.end = r.contentLength() == null ? -1 : start + r.contentLength();
        this.eTag = r.eTag();
    }

    /** Resumes done so far. */
    public int resumes() {
        return resumes;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("read from closed stream of " + location);
        }
        if (len == 0) {
            return 0;
        }
        while (true) {
            int n;
            try {
                n = current.read(b, off, len);
            } catch (IOException | UncheckedIOException | SdkException e) {
                resume(e);
                continue;
            }
            if (n < 0 && end >= 0 && start + position < end) {
                resume(null);
                continue;
            }
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    private void resume(Exception failure) throws IOException {
        long at = start + position;
        String why = failure == null ? "the body ended early" : failure.toString();
        abortQuietly(current);
        if (end < 0 || eTag == null) {
            throw new IOException("reading " + location + " failed at offset " + at + " (" + why + ") and cannot be"
                    + " resumed: the response had no " + (end < 0 ? "Content-Length" : "ETag"), failure);
        }
        if (resumes >= maxResumes) {
            throw new IOException("reading " + location + " failed at offset " + at + " (" + why + ") after "
                    + resumes + " resume(s), the most allowed (readResumes): the network to S3 is failing; try again", failure);
        }
        resumes++;
        LOG.info("reading {} failed at offset {} ({}): resuming with a ranged read pinned to its ETag ({} of {})",
                location, at, why, resumes, maxResumes);
        try {
            current = rangedGet.get(at, end - 1, eTag);
        } catch (BackupException e) {
            IOException io = new IOException("reading " + location + " failed at offset " + at + " (" + why
                    + ") and resuming failed: " + e.getMessage(), e);
            if (failure != null) {
                io.addSuppressed(failure);
            }
            throw io;
        }
    }

    /** Aborts the response when the body was not read to its end (no download of the rest); idempotent. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (end < 0 || start + position < end) {
            abortQuietly(current);
            try {
                current.close();
            } catch (IOException afterAbort) {
                LOG.debug("closing the aborted response of {}: {}", location, afterAbort.toString());
            }
            return;
        }
        current.close();
    }

    private static void abortQuietly(ResponseInputStream<GetObjectResponse> in) {
        try {
            in.abort();
        } catch (RuntimeException ignored) {
            // the connection is gone either way
        }
    }
}
