package com.eazepay.backup.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A loopback TCP proxy that forwards everything but closes both sides after N bytes from the server. */
final class CuttingProxy implements AutoCloseable {

    private final ServerSocket server;
    private final Thread acceptor;

    CuttingProxy(int upstreamPort, long cutAfterServerBytes) throws IOException {
        server = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        acceptor = new Thread(() -> {
            try {
                while (true) {
                    Socket client = server.accept();
                    Socket upstream = new Socket(InetAddress.getLoopbackAddress(), upstreamPort);
                    pump(client.getInputStream(), upstream.getOutputStream(), Long.MAX_VALUE, client, upstream);
                    pump(upstream.getInputStream(), client.getOutputStream(), cutAfterServerBytes, client, upstream);
                }
            } catch (IOException closed) {
                // proxy closed
            }
        }, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private static void pump(InputStream in, OutputStream out, long limit, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            long sent = 0;
            try {
                int n;
                while (sent < limit && (n = in.read(buf, 0, (int) Math.min(buf.length, limit - sent))) > 0) {
                    out.write(buf, 0, n);
                    out.flush();
                    sent += n;
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                closeQuietly(a);
                closeQuietly(b);
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

    int port() {
        return server.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
