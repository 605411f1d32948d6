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
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP proxy that forwards connections to a server on 127.0.0.1 and drops each connection (closes
 * both sides) once more than N bytes went one way on it: a network failure in the middle of a transfer.
 * <ul>
 *   <li>{@link #cuttingResponses(int, long)}: cut after N bytes from the server (a dump or download breaks
 *       mid-way, while the client's requests pass);</li>
 *   <li>{@link #cuttingRequests(int, long)}: cut when the client sends more than N bytes (an upload breaks
 *       mid-body, while small requests pass);</li>
 *   <li>{@link #cuttingResponses(int, long, int)}: the same, for the first few connections only;</li>
 *   <li>{@link #throttling(int, long)}: a slow link, at most N bytes per second each way per connection;</li>
 *   <li>{@link #recording(int)}: whole, counting bytes each way ({@link #bytesToClient()}).</li>
 * </ul>
 * Every proxy counts the bytes it forwarded each way and the connections it accepted.
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
    private final int maxCuts;
    private final long bytesPerSecond;
    private final AtomicInteger cuts = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong bytesToClient = new AtomicLong();
    private final AtomicLong bytesToServer = new AtomicLong();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private CuttingProxy(int upstreamPort, long cutAfterBytes, boolean cutRequests) throws IOException {
        this(upstreamPort, cutAfterBytes, cutRequests, Integer.MAX_VALUE, 0);
    }

    private CuttingProxy(int upstreamPort, long cutAfterBytes, boolean cutRequests, int maxCuts, long bytesPerSecond)
            throws IOException {
        if (upstreamPort < 1 || upstreamPort > 65535) {
            throw new IllegalArgumentException("upstreamPort must be 1 to 65535, was " + upstreamPort);
        }
        if (cutAfterBytes < 0) {
            throw new IllegalArgumentException("cutAfterBytes must be 0 or more, was " + cutAfterBytes);
        }
        this.upstreamPort = upstreamPort;
        this.cutAfterBytes = cutAfterBytes;
        this.cutRequests = cutRequests;
        if (maxCuts < 0) {
            throw new IllegalArgumentException("maxCuts must be 0 or more, was " + maxCuts);
        }
        if (bytesPerSecond < 0) {
            throw new IllegalArgumentException("bytesPerSecond must be 0 (unlimited) or more, was " + bytesPerSecond);
        }
        this.maxCuts = maxCuts;
        this.bytesPerSecond = bytesPerSecond;
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

    /**
     * A proxy that cuts only the first {@code maxCuts} connections on which the server sent more than
     * {@code cutAfterBytes} bytes; later connections pass whole (a few blips, then the network recovers).
     *
     * @throws IOException if no port can be bound
     */
    public static CuttingProxy cuttingResponses(int upstreamPort, long cutAfterBytes, int maxCuts) throws IOException {
        return new CuttingProxy(upstreamPort, cutAfterBytes, false, maxCuts, 0);
    }

    /**
     * A proxy that forwards everything whole, and counts the bytes each way ({@link #bytesToClient()},
     * {@link #bytesToServer()}).
     *
     * @throws IOException if no port can be bound
     */
    public static CuttingProxy recording(int upstreamPort) throws IOException {
        return new CuttingProxy(upstreamPort, Long.MAX_VALUE, false, 0, 0);
    }

    /**
     * A proxy that forwards everything whole but at most {@code bytesPerSecond} bytes per second in each
     * direction of each connection: a slow link.
     *
     * @throws IOException if no port can be bound
     */
    public static CuttingProxy throttling(int upstreamPort, long bytesPerSecond) throws IOException {
        if (bytesPerSecond <= 0) {
            throw new IllegalArgumentException("bytesPerSecond must be > 0, was " + bytesPerSecond);
        }
        return new CuttingProxy(upstreamPort, Long.MAX_VALUE, false, 0, bytesPerSecond);
    }

    /** Bytes forwarded from the server to clients so far, over all connections. */
    public long bytesToClient() {
        return bytesToClient.get();
    }

    /** Bytes forwarded from clients to the server so far, over all connections. */
    public long bytesToServer() {
        return bytesToServer.get();
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
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
            connections.incrementAndGet();
            try {
                Socket upstream = new Socket(LOOPBACK, upstreamPort);
                sockets.add(upstream);
                pump(client, upstream, cutRequests ? cutAfterBytes : Long.MAX_VALUE, bytesToServer);
                pump(upstream, client, cutRequests ? Long.MAX_VALUE : cutAfterBytes, bytesToClient);
            } catch (IOException refused) {
                // the upstream is down: the client sees its connection closed, as it would without the proxy
                closeQuietly(client);
            }
        }
    }

    private void pump(Socket from, Socket to, long cutLimit, AtomicLong counter) {
        Thread t = new Thread(() -> {
            long sent = 0;
            long limit = cutLimit;
            // throttled: small chunks, so the rate holds within a fraction of a second
            byte[] buf = new byte[bytesPerSecond > 0 ? (int) Math.max(1, Math.min(64 * 1024, bytesPerSecond / 10)) : 64 * 1024];
            long[] due = {System.nanoTime()}; // pacing: an idle connection earns no credit
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (n > limit - sent) {
                        if (cuts.getAndUpdate(c -> c < maxCuts ? c + 1 : c) < maxCuts) {
                            // forward exactly up to the limit, then drop the connection
                            out.write(buf, 0, (int) (limit - sent));
                            out.flush();
                            counter.addAndGet(limit - sent);
                            return;
                        }
                        limit = Long.MAX_VALUE; // the cut budget is spent: this connection passes whole
                    }
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                    counter.addAndGet(n);
                    throttle(due, n);
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

    private void throttle(long[] due, int sent) throws IOException {
        if (bytesPerSecond <= 0) {
            return;
        }
        due[0] = Math.max(due[0], System.nanoTime() - 100_000_000L) + sent * 1_000_000_000L / bytesPerSecond;
        long wait = due[0] - System.nanoTime();
        if (wait > 0) {
            try {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("throttling interrupted", e);
            }
        }
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
