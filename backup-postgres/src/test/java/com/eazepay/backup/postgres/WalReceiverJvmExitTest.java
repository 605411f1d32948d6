package com.eazepay.backup.postgres;

import com.eazepay.backup.Codecs;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A JVM that is stopped (SIGTERM, as Kubernetes or systemd stop it) without closing its {@link WalReceiver} does not
 * leave pg_receivewal streaming on its own: a real Debian PostgreSQL 15 server and a second JVM running a receiver.
 */
class WalReceiverJvmExitTest {

    /** The second JVM: starts a receiver, prints pg_receivewal's pid, and waits to be stopped. */
    public static final class Receiving {
        public static void main(String[] args) throws Exception {
            WalArchive archive = WalArchive.builder().repository(FileSystemStorage.at(Path.of(args[1]))).source("postgres")
                    .encryption(Codecs.noEncryption()).build();
            WalReceiver.builder().host("127.0.0.1").port(Integer.parseInt(args[0])).spool(Path.of(args[2]))
                    .archive(archive).build().start();
            long pid = ProcessHandle.current().children()
                    .filter(p -> p.info().command().orElse("").endsWith("pg_receivewal")).findFirst().orElseThrow().pid();
            System.out.println("pg_receivewal " + pid);
            System.out.flush();
            Thread.sleep(Long.MAX_VALUE);
        }
    }

    @Test
    void stoppingTheJvmWithoutCloseStopsPgReceivewal() throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (runuser)");
        Path work = Files.createTempDirectory("wal-receiver-exit-");
        try (DebianCluster primary = DebianCluster.initdb()) {
            Process jvm = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), Receiving.class.getName(), Integer.toString(primary.port),
                    Files.createDirectories(work.resolve("repo")).toString(), work.resolve("spool").toString()))
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            long pid;
            try (BufferedReader r = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8))) {
                String line = r.readLine();
                assertThat(line).as("the second JVM's pg_receivewal pid").startsWith("pg_receivewal ");
                pid = Long.parseLong(line.substring("pg_receivewal ".length()));
            }
            ProcessHandle receivewal = ProcessHandle.of(pid).orElseThrow();
            assertThat(receivewal.isAlive()).isTrue();

            jvm.destroy(); // SIGTERM: shutdown hooks run, close() is never called
            assertThat(jvm.waitFor(60, TimeUnit.SECONDS)).isTrue();

            try {
                receivewal.onExit().get(30, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                receivewal.destroyForcibly();
                throw new AssertionError("pg_receivewal " + pid + " still runs 30 s after its JVM was stopped", e);
            }
            assertThat(receivewal.isAlive()).isFalse();
        } finally {
            DebianCluster.run("rm", "-rf", work.toString());
        }
    }
}
