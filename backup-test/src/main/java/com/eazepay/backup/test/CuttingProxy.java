package com.eazepay.backup.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback TCP proxy that forwards connections to a server on 127.0.0.1 and drops each connection (closes
 * both sides) once more than N bytes went one way on it: a network failure in the middle of a transfer.
 * <ul>
 *   <li>{@link #cuttingResponses(int, long)}: cut after N bytes from the server (a dump or download breaks
 *       mid-way, while the client's requests pass);</li>
 *   <li>{@link #cuttingRequests(int, long)}: cut when the client sends more than N bytes (an upload breaks
 *       mid-body, while small requests pass).</li>
 * </ul>
 * Exactly the first N bytes of the cut direction reach the other side; the other direction is not limited.
 * Binds 127.0.0.1 on a free port ({@link #port()}); every connection is proxied the same way.
 * <pre>{@code
 * try (CuttingProxy proxy = CuttingProxy.cuttingResponses(server.port(), 5_000)) {
 *     RedisSource source = RedisSource.builder().host("127.0.0.1").port(proxy.port()).build();
 *     ...
 * }
 * }</pre>
 * {@link #close()} stops accepting and closes every open connection; it is idempotent. Thread-safe; its
 * threads are daemons.
 */
public final class CuttingProxy implements AutoCloseable {

    private static final InetAddress LOOPBACK = loopback();

    private final ServerSocket server;
    private final int upstreamPort;
    private final long cutAfterBytes;
    private final boolean cutRequests;
    private final AtomicInteger cuts = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private CuttingProxy(int upstreamPort, long cutAfterBytes, boolean cutRequests) throws IOException {
        if (upstreamPort < 1 || upstreamPort > 65535) {
            throw new IllegalArgumentException("upstreamPort must be 1 to 65535, was " + upstreamPort);
        }
        if (cutAfterBytes < 0) {
            throw new IllegalArgumentException("cutAfterBytes must be 0 or more, was " + cutAfterBytes);
        }
        this.upstreamPort = upstreamPort;
        this.cutAfterBytes = cutAfterBytes;
        this.cutRequests = cutRequests;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread t = new Thread(this::acceptLoop, "cutting-proxy-accept");
        t.setDaemon(true);
        t.start();
    }

    /**
     * A proxy to {@code 127.0.0.1:upstreamPort} that drops a connection after the server sent it
     * {@code cutAfterBytes} bytes.
     *
     * @throws IOException if no port can be bound
     */
    public static CuttingProxy cuttingResponses(int upstreamPort, long cutAfterBytes) throws IOException {
        return new CuttingProxy(upstreamPort, cutAfterBytes, false);
    }

    /**
     * A proxy to {@code 127.0.0.1:upstreamPort} that drops a connection when the client sends more than
     * {@code cutAfterBytes} bytes on it.
     *
     * @throws IOException if no port can be bound
     */
    public static CuttingProxy cuttingRequests(int upstreamPort, long cutAfterBytes) throws IOException {
        return new CuttingProxy(upstreamPort, cutAfterBytes, true);
    }

    /** The port clients connect to, on 127.0.0.1. */
    public int port() {
        return server.getLocalPort();
    }

    /** {@code http://127.0.0.1:<port>}, for HTTP clients. */
    public URI httpEndpoint() {
        return URI.create("http://127.0.0.1:" + port());
    }

    /** How many connections were cut so far. */
    public int cuts() {
        return cuts.get();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException closed) {
                return;
            }
            sockets.add(client);
            try {
                Socket upstream = new Socket(LOOPBACK, upstreamPort);
                sockets.add(upstream);
                pump(client, upstream, cutRequests ? cutAfterBytes : Long.MAX_VALUE);
                pump(upstream, client, cutRequests ? Long.MAX_VALUE : cutAfterBytes);
            } catch (IOException refused) {
                // the upstream is down: the client sees its connection closed, as it would without the proxy
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, long limit) {
        Thread t = new Thread(() -> {
            long sent = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (n > limit - sent) {
                        // forward exactly up to the limit, then drop the connection
                        out.write(buf, 0, (int) (limit - sent));
                        out.flush();
                        cuts.incrementAndGet();
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cutting-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[]{127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops accepting and closes all connections. Idempotent. */
    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : sockets) {
            closeQuietly(s);
        }
    }
}
