package com.eazepay.backup.gcs.internal;

import com.eazepay.backup.BackupException;
import com.google.cloud.ReadChannel;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;

/**
 * An {@link InputStream} over a GCS {@link ReadChannel}, reading at most {@code remaining} bytes.
 * Failures surface as {@link IOException}s naming the object and the offset. Closing closes the
 * channel; closing twice is harmless.
 */
public final class ReadChannelInputStream extends InputStream {

    private final ReadChannel channel;
    private final String resource;
    private long position;
    private long remaining;
    private boolean closed;

    /**
     * @param channel   positioned at {@code start}; owned by this stream from now on
     * @param remaining bytes to read, or {@code Long.MAX_VALUE} for "to the end"
     */
    public ReadChannelInputStream(ReadChannel channel, String resource, long start, long remaining) {
        this.channel = channel;
        this.resource = resource;
        this.position = start;
        this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException("stream of " + resource + " is closed");
        }
        if (len == 0) {
            return 0;
        }
        if (remaining <= 0) {
            return -1;
        }
        ByteBuffer buf = ByteBuffer.wrap(b, off, (int) Math.min(len, remaining));
        int n;
        try {
            do {
                n = channel.read(buf);
            } while (n == 0);
        } catch (IOException | RuntimeException e) {
            BackupException be = GcsErrors.translate("read", resource, "", "storage.objects.get", e);
            throw new IOException("reading " + resource + " failed at offset " + position + " (" + be.getMessage() + ")",
                    be.getCause());
        }
        if (n < 0) {
            remaining = 0;
            return -1;
        }
        position += n;
        remaining -= n;
        return n;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            channel.close();
        }
    }
}
