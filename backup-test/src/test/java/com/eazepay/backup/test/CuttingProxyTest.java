package com.eazepay.backup.test;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CuttingProxyTest {

    /** A one-connection upstream that sends {@code bytes} bytes, then counts what it receives. */
    private static final class Upstream implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        final long[] received = {0};
        final Thread thread;

        Upstream(int bytes) throws IOException {
            thread = new Thread(() -> {
                try (Socket s = socket.accept(); OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
                    out.write(new byte[bytes]);
                    out.flush();
                    byte[] buf = new byte[8192];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        received[0] += n;
                    }
                } catch (IOException ignored) {
                    // cut
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void responsesAreCutAfterExactlyNBytes() throws Exception {
        try (Upstream up = new Upstream(100_000); CuttingProxy proxy = CuttingProxy.cuttingResponses(up.socket.getLocalPort(), 5_000);
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            assertThat(client.getInputStream().readAllBytes()).hasSize(5_000);
            assertThat(proxy.cuts()).isEqualTo(1);
            assertThat(proxy.httpEndpoint().toString()).isEqualTo("http://127.0.0.1:" + proxy.port());
        }
    }

    @Test
    void requestsAreCutAfterExactlyNBytesWhileSmallOnesPass() throws Exception {
        try (Upstream up = new Upstream(10); CuttingProxy proxy = CuttingProxy.cuttingRequests(up.socket.getLocalPort(), 1_000);
             Socket client = new Socket("127.0.0.1", proxy.port())) {
            assertThat(client.getInputStream().readNBytes(10)).hasSize(10);
            OutputStream out = client.getOutputStream();
            out.write(new byte[500]);
            out.flush();
            assertThatThrownBy(() -> {
                for (int i = 0; i < 1_000; i++) {
                    out.write(new byte[64 * 1024]);
                    out.flush();
                }
            }).isInstanceOf(IOException.class);
            up.thread.join();
            assertThat(up.received[0]).isEqualTo(1_000);
            assertThat(proxy.cuts()).isEqualTo(1);
        }
    }

    @Test
    void closingTheProxyClosesOpenConnectionsAndIsIdempotent() throws Exception {
        try (Upstream up = new Upstream(1)) {
            CuttingProxy proxy = CuttingProxy.cuttingResponses(up.socket.getLocalPort(), 1_000);
            try (Socket client = new Socket("127.0.0.1", proxy.port())) {
                assertThat(client.getInputStream().read()).isZero(); // the connection is proxied
                proxy.close();
                proxy.close();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(proxy.cuts()).isZero();
        }
    }
}
