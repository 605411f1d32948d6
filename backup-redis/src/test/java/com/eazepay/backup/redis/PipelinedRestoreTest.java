package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The live restore pipelines RESTORE commands without waiting for replies between batches. The backup is
 * taken from a real redis-server; the target is a minimal RESP server on loopback because a real one cannot
 * be made to hold its replies back deterministically: it answers INFO, TIME, SELECT, RESTORE and DBSIZE, but
 * sends no reply until it has received every RESTORE of the backup (more than one batch of 1000).
 */
class PipelinedRestoreTest {

    private static final int KEYS = 2500;

    private static DirectoryBackupContext backupOf(int keys, Path dir) throws Exception {
        try (TestRedis src = TestRedis.debian(dir.resolve("s"))) {
            try (RespConnection c = src.connect()) {
                for (int i = 0; i < keys; i++) {
                    c.send("SET", "k" + i, "value-" + i);
                }
                c.flush();
                for (int i = 0; i < keys; i++) {
                    assertThat(c.read()).isEqualTo("OK");
                }
            }
            DirectoryBackupContext ctx = DirectoryBackupContext.in(dir.resolve("b"));
            RedisSource.builder().host("127.0.0.1").port(src.port).build().backup(ctx);
            return ctx;
        }
    }

    @Test
    void liveRestoreKeepsSendingWhileRepliesAreOutstanding(@TempDir Path dir) throws Exception {
        DirectoryBackupContext ctx = backupOf(KEYS, dir);
        try (HoldingServer target = new HoldingServer(KEYS, -1)) {
            // a restore that waited for the replies of its first batch (1000) would time out here
            RestoreOutcome outcome = RedisSource.builder().host("127.0.0.1").port(1).build().restore(ctx.restoreContext(),
                    RedisTarget.server("127.0.0.1", target.port()).timeout(Duration.ofSeconds(10)));
            assertThat(target.restores()).isEqualTo(KEYS);
            assertThat(outcome.checks()).extracting(CheckResult::passed).containsOnly(true);
            assertThat(outcome.facts().get("keysRestored")).isEqualTo(java.util.Map.of("db0", (long) KEYS));
        }
        assertThat(replyThreads()).as("reply reader threads left running").isEmpty();
    }

    @Test
    void anErrorReplyInTheMiddleFailsTheRestoreAndEndsTheReplyThread(@TempDir Path dir) throws Exception {
        DirectoryBackupContext ctx = backupOf(KEYS, dir);
        try (HoldingServer target = new HoldingServer(KEYS, 1500)) {
            assertThatThrownBy(() -> RedisSource.builder().host("127.0.0.1").port(1).build().restore(ctx.restoreContext(),
                    RedisTarget.server("127.0.0.1", target.port()).timeout(Duration.ofSeconds(10))))
                    .isInstanceOf(BackupException.class)
                    .satisfies(e -> assertThat(((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.SOURCE_FAILED))
                    .hasMessageContaining("RESTORE into").hasMessageContaining("ERR refused on purpose");
        }
        // the reader ends when the connection is closed, which the failed restore does on its way out
        for (Thread t : replyThreads()) {
            t.join(10_000);
        }
        assertThat(replyThreads()).as("reply reader threads left running").isEmpty();
    }

    private static List<Thread> replyThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("redis-restore-replies") && t.isAlive()).toList();
    }

    /**
     * Answers one client; replies to SELECT and RESTORE are held back until {@code release} RESTOREs arrived,
     * then all sent. RESTORE number {@code errorAt} (1-based; -1: none) gets an error reply.
     */
    private static final class HoldingServer implements AutoCloseable {
        private final ServerSocket server;
        private final Thread thread;
        private final int release;
        private final int errorAt;
        private volatile int restores;
        private long keys;

        HoldingServer(int release, int errorAt) throws IOException {
            this.server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            this.release = release;
            this.errorAt = errorAt;
            this.thread = new Thread(this::serve, "holding-resp-server");
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return server.getLocalPort();
        }

        int restores() {
            return restores;
        }

        private void serve() {
            try (Socket s = server.accept()) {
                InputStream in = new BufferedInputStream(s.getInputStream());
                OutputStream out = new BufferedOutputStream(s.getOutputStream());
                List<byte[]> held = new ArrayList<>();
                boolean holding = true;
                while (true) {
                    List<String> cmd = readCommand(in);
                    if (cmd == null) {
                        return;
                    }
                    String name = cmd.get(0).toUpperCase(java.util.Locale.ROOT);
                    byte[] reply = switch (name) {
                        case "INFO" -> bulk(cmd.get(1).equalsIgnoreCase("server") ? "# Server\r\nredis_version:7.0.15\r\n"
                                : "# Keyspace\r\n" + (keys > 0 ? "db0:keys=" + keys + ",expires=0,avg_ttl=0\r\n" : ""));
                        case "TIME" -> ("*2\r\n" + new String(bulk(String.valueOf(System.currentTimeMillis() / 1000)),
                                StandardCharsets.US_ASCII) + new String(bulk("0"), StandardCharsets.US_ASCII))
                                .getBytes(StandardCharsets.US_ASCII);
                        case "SELECT" -> "+OK\r\n".getBytes(StandardCharsets.US_ASCII);
                        case "RESTORE" -> {
                            restores++;
                            keys++;
                            yield (restores == errorAt ? "-ERR refused on purpose\r\n" : "+OK\r\n").getBytes(StandardCharsets.US_ASCII);
                        }
                        case "DBSIZE" -> (":" + keys + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        default -> ("-ERR unknown command " + name + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    };
                    boolean holdThis = holding && (name.equals("SELECT") || name.equals("RESTORE"));
                    if (holdThis) {
                        held.add(reply);
                        if (restores >= release) {
                            holding = false;
                            for (byte[] h : held) {
                                out.write(h);
                            }
                            held.clear();
                            out.flush();
                        }
                    } else {
                        out.write(reply);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // the client closed the connection (a failed restore does): the test checks what it saw
            }
        }

        private static byte[] bulk(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            return ("$" + b.length + "\r\n" + s + "\r\n").getBytes(StandardCharsets.UTF_8);
        }

        private static List<String> readCommand(InputStream in) throws IOException {
            int t = in.read();
            if (t < 0) {
                return null;
            }
            if (t != '*') {
                throw new IOException("not a RESP array: " + (char) t);
            }
            int n = Integer.parseInt(line(in));
            List<String> args = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                if (in.read() != '$') {
                    throw new IOException("not a bulk string");
                }
                int len = Integer.parseInt(line(in));
                byte[] b = in.readNBytes(len + 2);
                if (b.length != len + 2) {
                    throw new EOFException();
                }
                // values are binary; only names and small arguments are read as text
                args.add(new String(b, 0, Math.min(len, 64), StandardCharsets.ISO_8859_1));
            }
            return args;
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) != '\r') {
                if (c < 0) {
                    throw new EOFException();
                }
                b.append((char) c);
            }
            in.read();
            return b.toString();
        }

        @Override
        public void close() throws Exception {
            server.close();
            thread.join(10_000);
        }
    }
}
