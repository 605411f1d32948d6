package com.eazepay.backup.redis.internal;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A minimal RESP2 client over one socket: commands are arrays of bulk strings, replies are decoded to
 * {@link String} (simple string), {@link Long} (integer), {@code byte[]} (bulk string), {@link List}
 * (array), {@code null} (nil) or {@link RespError} (error reply; returned, not thrown). Commands may be
 * pipelined: {@link #send} several, {@link #flush()}, then {@link #read()} as many replies. Not
 * thread-safe, except that one thread may send and flush while one other thread reads (the two directions
 * use separate buffers), as the live restore does to read replies while it keeps sending.
 */
public final class RespConnection implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final byte[] digits = new byte[24];

    private RespConnection(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        this.out = new SendBuffer(socket.getOutputStream(), 1 << 16);
    }

    /**
     * Connects.
     *
     * @param tls     socket factory for TLS, or null for plain TCP
     * @param timeout connect and read timeout
     */
    public static RespConnection open(String host, int port, SSLSocketFactory tls, Duration timeout) throws IOException {
        Socket s = new Socket();
        try {
            s.setTcpNoDelay(true);
            s.connect(new InetSocketAddress(host, port), (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            s.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            if (tls != null) {
                SSLSocket ssl = (SSLSocket) tls.createSocket(s, host, port, true);
                var params = ssl.getSSLParameters();
                params.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(params);
                ssl.startHandshake();
                return new RespConnection(ssl);
            }
            return new RespConnection(s);
        } catch (IOException | RuntimeException e) {
            try {
                s.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** An error reply. */
    public record RespError(String message) {
        /** The first word, e.g. {@code ERR}, {@code NOAUTH}, {@code NOPERM}, {@code WRONGPASS}. */
        public String kind() {
            int sp = message.indexOf(' ');
            return sp < 0 ? message : message.substring(0, sp);
        }
    }

    /**
     * A bulk-string argument written in pieces, so a large value is never held as one array (nor
     * copied into one).
     */
    public interface BulkArgument {
        /** Exact number of bytes {@link #writeTo} writes. */
        long length();

        /** Writes the bytes. */
        void writeTo(OutputStream out) throws IOException;
    }

    /** A bulk-string reply whose body is still unread: see {@link #readOrBulkHeader()}. */
    public record BulkHeader(long length) {
    }

    /**
     * Buffers one command; call {@link #flush()} to send. Arguments are String (UTF-8), byte[] or
     * {@link BulkArgument}.
     */
    public void send(Object... args) throws IOException {
        out.write('*');
        writeNumber(args.length);
        for (Object a : args) {
            if (a instanceof BulkArgument bulk) {
                long n = bulk.length();
                out.write('$');
                writeNumber(n);
                CountingOutput counted = new CountingOutput(out);
                bulk.writeTo(counted);
                if (counted.count != n) {
                    throw new IllegalStateException("bulk argument wrote " + counted.count + " bytes, announced " + n);
                }
                out.write('\r');
                out.write('\n');
                continue;
            }
            byte[] b = a instanceof byte[] bytes ? bytes : String.valueOf(a).getBytes(StandardCharsets.UTF_8);
            out.write('$');
            writeNumber(b.length);
            out.write(b);
            out.write('\r');
            out.write('\n');
        }
    }

    /** Writes {@code n} in decimal and CRLF, without allocating (it runs several times per command). */
    private void writeNumber(long n) throws IOException {
        if (n < 0) {
            out.write(Long.toString(n).getBytes(StandardCharsets.US_ASCII));
            out.write('\r');
            out.write('\n');
            return;
        }
        int i = digits.length;
        digits[--i] = '\n';
        digits[--i] = '\r';
        do {
            digits[--i] = (byte) ('0' + (int) (n % 10));
            n /= 10;
        } while (n != 0);
        out.write(digits, i, digits.length - i);
    }

    /** Sends the buffered commands. */
    public void flush() throws IOException {
        out.flush();
    }

    /** Sends one command and reads its reply. */
    public Object call(Object... args) throws IOException {
        send(args);
        flush();
        return read();
    }

    /**
     * Reads one reply. Bare {@code \n} bytes before a reply are skipped: a master sends them as
     * keepalives to a replica while it waits to start a snapshot (diskless sync delay, a BGSAVE in
     * progress, another replica's sync), before {@code +FULLRESYNC}; {@code redis-cli --rdb} skips
     * them too.
     *
     * @throws ProtocolException when the server sends something that is not RESP
     */
    public Object read() throws IOException {
        int type;
        do {
            type = in.read();
        } while (type == '\n');
        if (type < 0) {
            throw new EOFException("connection closed by server");
        }
        return readAfterType(type);
    }

    private Object readAfterType(int type) throws IOException {
        switch (type) {
            case '+':
                return readLine();
            case '-':
                return new RespError(readLine());
            case ':':
                return Long.parseLong(readLine());
            case '$': {
                long len = Long.parseLong(readLine());
                if (len < 0) {
                    return null;
                }
                if (len > Integer.MAX_VALUE - 16) {
                    throw new IOException("bulk reply too large: " + len);
                }
                // allocate once at the announced size: readNBytes(n) would hold the bytes twice
                byte[] b = new byte[(int) len];
                if (in.readNBytes(b, 0, b.length) != len || in.read() != '\r' || in.read() != '\n') {
                    throw new EOFException("truncated bulk reply");
                }
                return b;
            }
            case '*': {
                long n = Long.parseLong(readLine());
                if (n < 0) {
                    return null;
                }
                List<Object> list = new ArrayList<>((int) Math.min(n, 1024));
                for (long i = 0; i < n; i++) {
                    list.add(read());
                }
                return list;
            }
            default:
                throw new ProtocolException("unexpected RESP type byte 0x" + Integer.toHexString(type));
        }
    }

    /**
     * The server sent bytes that are not valid RESP: a protocol mismatch, not a network failure, so
     * retrying the same exchange does not help.
     */
    public static final class ProtocolException extends IOException {
        private static final long serialVersionUID = 1L;

        ProtocolException(String message) {
            super(message);
        }
    }

    /**
     * Reads one reply like {@link #read()}, except that a non-nil bulk string is not read: its
     * length comes back as a {@link BulkHeader} and the caller must consume exactly that many bytes
     * with {@link #copyBulk} before reading anything else.
     */
    public Object readOrBulkHeader() throws IOException {
        int type;
        do {
            type = in.read();
        } while (type == '\n');
        if (type != '$') {
            if (type < 0) {
                throw new EOFException("connection closed by server");
            }
            return readAfterType(type);
        }
        long len = Long.parseLong(readLine());
        return len < 0 ? null : new BulkHeader(len);
    }

    /** Copies the body of the bulk string announced by {@code header} to {@code to}, in pieces. */
    public void copyBulk(BulkHeader header, OutputStream to) throws IOException {
        byte[] chunk = new byte[(int) Math.min(header.length(), 1 << 16)];
        long left = header.length();
        while (left > 0) {
            int n = in.read(chunk, 0, (int) Math.min(left, chunk.length));
            if (n < 0) {
                throw new EOFException("truncated bulk reply");
            }
            to.write(chunk, 0, n);
            left -= n;
        }
        if (in.read() != '\r' || in.read() != '\n') {
            throw new ProtocolException("bulk reply not terminated by CRLF");
        }
    }

    /**
     * A {@link BufferedOutputStream} without its lock: only the sending thread writes (a restore reads replies on
     * another thread, from the input), and a command writes a dozen single bytes, each an uncontended lock otherwise.
     */
    private static final class SendBuffer extends OutputStream {
        private final OutputStream socket;
        private final byte[] buf;
        private int n;

        SendBuffer(OutputStream socket, int size) {
            this.socket = socket;
            this.buf = new byte[size];
        }

        @Override
        public void write(int b) throws IOException {
            if (n == buf.length) {
                drain();
            }
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (len >= buf.length) { // larger than the buffer: straight through, after what is buffered
                drain();
                socket.write(b, off, len);
                return;
            }
            if (len > buf.length - n) {
                drain();
            }
            System.arraycopy(b, off, buf, n, len);
            n += len;
        }

        private void drain() throws IOException {
            if (n > 0) {
                socket.write(buf, 0, n);
                n = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            drain();
            socket.flush();
        }

        @Override
        public void close() throws IOException {
            try {
                flush();
            } finally {
                socket.close();
            }
        }
    }

    private static final class CountingOutput extends java.io.FilterOutputStream {
        long count;

        CountingOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }

    /** Reads a CRLF-terminated line (without the CRLF), as ASCII/UTF-8. */
    public String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(64);
        while (true) {
            int c = in.read();
            if (c < 0) {
                throw new EOFException("connection closed by server");
            }
            if (c == '\r') {
                int n = in.read();
                if (n != '\n') {
                    throw new ProtocolException("malformed RESP line");
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            if (line.size() > 1 << 20) {
                throw new ProtocolException("RESP line too long");
            }
            line.write(c);
        }
    }

    /** The buffered input, for reading a replication payload after the handshake. */
    public InputStream input() {
        return in;
    }

    /** Sets the read timeout. */
    public void readTimeout(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket we are done with: nothing to recover
        }
    }
}
