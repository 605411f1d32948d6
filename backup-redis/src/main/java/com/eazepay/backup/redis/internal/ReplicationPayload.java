package com.eazepay.backup.redis.internal;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The RDB payload a master sends after {@code +FULLRESYNC} (or {@code SYNC}), as a stream that ends
 * exactly where the payload ends. Two framings exist: {@code $<length>\r\n<bytes>} (disk-based
 * sync) and {@code $EOF:<40-byte mark>\r\n<bytes><mark>} (diskless sync, when the replica announced
 * {@code capa eof}); in the second the mark is stripped, and only the last 40 bytes are held back
 * until the end is known. The {@code \n} keepalives the master sends while it prepares the snapshot
 * are skipped. A connection that ends before the payload does is an {@link EOFException}. Not
 * thread-safe; does not close the socket stream.
 */
public final class ReplicationPayload extends InputStream {

    /** Length of the diskless end mark. */
    public static final int MARK_LENGTH = 40;

    private final InputStream in;
    private final long length; // -1 for the EOF-mark framing
    private final byte[] mark;
    private long consumed;
    private boolean ended;

    // EOF-mark framing: bytes read from the socket but not yet released (at most MARK_LENGTH held back)
    private final byte[] window;
    private int windowStart;
    private int windowEnd;

    private ReplicationPayload(InputStream in, long length, byte[] mark) {
        this.in = in;
        this.length = length;
        this.mark = mark;
        this.window = mark == null ? null : new byte[1 << 16];
    }

    /** Reads the payload header from {@code in} and returns the payload stream. */
    public static ReplicationPayload open(InputStream in) throws IOException {
        int c;
        do {
            c = in.read();
        } while (c == '\n');
        if (c < 0) {
            throw new EOFException("connection closed by the master before the RDB payload started");
        }
        String line = readLine(in);
        if (c == '-') {
            throw new IOException("master refused the sync: " + line);
        }
        if (c != '$') {
            throw new RespConnection.ProtocolException("unexpected reply from the master before the RDB payload: "
                    + (char) c + line.substring(0, Math.min(line.length(), 80)));
        }
        if (line.startsWith("EOF:")) {
            byte[] mark = line.substring(4).getBytes(StandardCharsets.ISO_8859_1);
            if (mark.length != MARK_LENGTH) {
                throw new RespConnection.ProtocolException("diskless payload mark is " + mark.length + " bytes, expected " + MARK_LENGTH);
            }
            return new ReplicationPayload(in, -1, mark);
        }
        long len;
        try {
            len = Long.parseLong(line);
        } catch (NumberFormatException e) {
            throw new RespConnection.ProtocolException("malformed payload length line from the master");
        }
        if (len < 0) {
            throw new RespConnection.ProtocolException("negative payload length from the master");
        }
        return new ReplicationPayload(in, len, null);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by the master in the payload header");
            }
            if (c == '\r') {
                if (in.read() != '\n') {
                    throw new IOException("malformed payload header line");
                }
                return b.toString(StandardCharsets.ISO_8859_1);
            }
            if (b.size() > 1024) {
                throw new IOException("payload header line too long");
            }
            b.write(c);
        }
    }

    /** Whether the master used the diskless {@code $EOF:} framing. */
    public boolean diskless() {
        return mark != null;
    }

    /** Payload bytes delivered so far. */
    public long consumed() {
        return consumed;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (mark == null) {
            if (consumed >= length) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, length - consumed));
            if (n < 0) {
                throw new EOFException("connection to the master closed after " + consumed + " of " + length
                        + " payload bytes");
            }
            consumed += n;
            return n;
        }
        while (true) {
            int releasable = windowEnd - windowStart - (ended ? 0 : MARK_LENGTH);
            if (releasable > 0) {
                int n = Math.min(len, releasable);
                System.arraycopy(window, windowStart, b, off, n);
                windowStart += n;
                consumed += n;
                return n;
            }
            if (ended) {
                return -1;
            }
            // compact, keeping the held-back tail, then read more
            int held = windowEnd - windowStart;
            System.arraycopy(window, windowStart, window, 0, held);
            windowStart = 0;
            windowEnd = held;
            int n = in.read(window, windowEnd, window.length - windowEnd);
            if (n < 0) {
                throw new EOFException("connection to the master closed after " + (consumed + held)
                        + " payload bytes, before the diskless end mark");
            }
            windowEnd += n;
            if (windowEnd - windowStart >= MARK_LENGTH
                    && Arrays.equals(window, windowEnd - MARK_LENGTH, windowEnd, mark, 0, MARK_LENGTH)) {
                windowEnd -= MARK_LENGTH;
                ended = true;
            }
        }
    }
}
