package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue 19 end to end against a real Debian PostgreSQL 15 primary: base backups streamed by pg_basebackup, WAL
 * streamed by a managed pg_receivewal through a slot, both compressed and age-encrypted into a filesystem repository,
 * and restores that start a second Debian server on the recovered data directory. Tests run in order on one archive.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PointInTimeRecoveryTest {

    static PitrCluster pitr;
    static BackupEngine engine;
    static BackupResult firstBase;
    static Instant between;
    static Manifest first;
    static Manifest second;
    static long rowsAtEnd;

    @BeforeAll
    static void start() throws Exception {
        pitr = PitrCluster.start("pitr-test");
        engine = pitr.engine().build();
    }

    @AfterAll
    static void stop() throws Exception {
        PitrCluster.close(engine, pitr);
    }

    @Test
    @Order(1)
    void pitrToATimeBetweenTwoCommitsRestoresExactlyTheRowsCommittedBeforeIt() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'before base' FROM generate_series(1, 100) g");
        firstBase = engine.backup("postgres-base").run();
        first = firstBase.manifest();
        assertThat(first.facts()).containsKeys("start_lsn", "stop_lsn", "timeline", "start_wal_file", "stop_wal_file",
                "wal_segment_size", "server_version");
        assertThat(first.facts()).containsEntry("backup_manifest", true).containsEntry("server_version", "15");
        // a write workload spanning several segments
        for (int s = 0; s < 3; s++) {
            pitr.primary.exec("shop", "INSERT INTO orders SELECT g, repeat('w', 200) FROM generate_series("
                    + (1000 + s * 20000) + ", " + (1000 + s * 20000 + 19999) + ") g");
            pitr.switchAndArchive();
        }
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (900001, 'A: committed before the target')");
        between = pitr.serverNow();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (900002, 'B: committed after the target')");
        Instant committedB = pitr.serverNow();
        String last = pitr.switchAndArchive();
        Instant archivedB = pitr.archive.segment(last).orElseThrow().archivedAt();
        long expected = Long.parseLong(pitr.primary.query("shop", "select count(*) from orders where id <> 900002").get(0));

        long t0 = System.nanoTime();
        RestoreResult r = PostgresPitr.restore(engine, "postgres-base",
                PitrTarget.dataDirectory(pitr.path("pitr-a"), pitr.archive, RecoveryTarget.time(between))
                        .check("shop", Check.sql("select count(*) from orders").exactly(expected))
                        .check("shop", Check.sql("select count(*) from orders where id = 900001").exactly(1))
                        .check("shop", Check.sql("select count(*) from orders where id = 900002").exactly(0)));
        long restoreMs = (System.nanoTime() - t0) / 1_000_000;

        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        assertThat(r.checks()).hasSize(3);
        assertThat(r.backupId()).isEqualTo(first.id());
        assertThat((String) r.facts().get("recovery_stopped")).startsWith("recovery stopping before commit of transaction");
        assertThat(r.facts()).containsEntry("pg_verifybackup", "passed");
        assertThat(((Number) r.facts().get("timeline_after_promotion")).longValue()).isEqualTo(2);
        System.out.printf("PITR: RPO (commit B -> its segment archived after pg_switch_wal) %d ms; restore %d ms;"
                        + " %s WAL files fetched; facts %s%n",
                java.time.Duration.between(committedB, archivedB).toMillis(), restoreMs, r.facts().get("wal_fetched"), r.facts());
    }

    @Test
    @Order(2)
    void aMissingWalSegmentFailsTheRestoreBeforeTheServerStartsAndWritesNothing() throws Exception {
        // a copy of the repository with one segment of the chain deleted
        Path copy = pitr.work.resolve("repo-gap");
        DebianCluster.run("cp", "-a", pitr.work.resolve("repo").toString(), copy.toString());
        FileSystemStorage gapRepo = FileSystemStorage.at(copy);
        WalArchive gap = WalArchive.builder().repository(gapRepo).source("postgres").encryption(pitr.age).build();
        List<WalSegment> chain = pitr.archive.list();
        String stop = (String) first.facts().get("stop_wal_file");
        WalSegment victim = chain.stream().filter(s -> s.name().compareTo(stop) > 0 && s.name().length() == 24)
                .findFirst().orElseThrow();
        gap.delete(victim);
        BackupEngine gapEngine = Backup.engine().repository(gapRepo)
                .encryption(pitr.age)
                .source(pitr.baseSource().build())
                .build();
        Path data = pitr.path("pitr-gap");
        assertThatThrownBy(() -> PostgresPitr.restore(gapEngine, "postgres-base",
                PitrTarget.dataDirectory(data, gap, RecoveryTarget.time(between))))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING))
                .hasMessageContaining("WAL segment " + victim.name() + " is not in the archive");
        assertThat(data).doesNotExist();
        assertThat(data.resolveSibling("pitr-gap.log")).doesNotExist();
    }

    @Test
    @Order(3)
    void theReplicationSlotSurvivesAReceiverRestartWithNoGap() throws Exception {
        pitr.receiver.close();
        // the spool is lost too (a new host): pg_receivewal must resume from the slot's restart_lsn
        DebianCluster.run("sh", "-c", "rm -f " + pitr.work.resolve("spool") + "/*");
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'while the receiver was down' FROM generate_series(2000001, 2050000) g");
        pitr.primary.query("postgres", "select pg_walfile_name(pg_switch_wal())");
        pitr.primary.exec("shop", "INSERT INTO orders SELECT g, 'still down' FROM generate_series(2050001, 2060000) g");
        pitr.startReceiver();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (3000000, 'after restart')");
        String last = pitr.switchAndArchive();
        long rows = Long.parseLong(pitr.primary.query("shop", "select count(*) from orders").get(0));

        // no gap from the first base backup's start to the newest segment
        WalChain chain = WalChain.plan(pitr.archive.list(), (String) first.facts().get("start_wal_file"),
                (String) first.facts().get("stop_wal_file"), 16L << 20, RecoveryTarget.latest());
        assertThat(chain.required().get(chain.required().size() - 1).name()).isEqualTo(last);
        RestoreResult r = PostgresPitr.restore(engine, "postgres-base", first.id(),
                PitrTarget.dataDirectory(pitr.path("pitr-latest"), pitr.archive, RecoveryTarget.latest())
                        .check("shop", Check.sql("select count(*) from orders").exactly(rows)));
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());

        // throughput of push on real WAL segments (fetched back), into a fresh filesystem repository
        Path segs = Files.createDirectories(pitr.work.resolve("segments"));
        List<WalSegment> full = pitr.archive.list().stream().filter(w -> w.name().length() == 24).toList();
        for (WalSegment w : full) {
            assertThat(pitr.archive.fetch(w.name(), segs.resolve(w.name()))).isTrue();
        }
        WalArchive fresh = WalArchive.builder().repository(FileSystemStorage.at(Files.createDirectories(pitr.work.resolve("repo2"))))
                .source("postgres").encryption(pitr.age).tempDirectory(pitr.work).build();
        long bytes = 0;
        long t0 = System.nanoTime();
        for (WalSegment w : full) {
            fresh.push(segs.resolve(w.name()));
            bytes += w.size();
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long stored = fresh.list().stream().mapToLong(WalSegment::storedSize).sum();
        System.out.printf("WAL push throughput: %d segments, %.1f MB in %.2f s = %.1f MB/s (stored %.1f MB)%n",
                full.size(), bytes / 1e6, secs, bytes / 1e6 / secs, stored / 1e6);
    }

    @Test
    @Order(4)
    void retentionKeepsTheWalTheOldestKeptBaseBackupNeedsAndItStillRestoresToItsEnd() throws Exception {
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (4000000, 'before the second base backup')");
        second = engine.backup("postgres-base").run().manifest();
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (4000001, 'after the second base backup')");
        pitr.switchAndArchive();
        long rows = Long.parseLong(pitr.primary.query("shop", "select count(*) from orders").get(0));
        rowsAtEnd = rows;
        String secondStart = (String) second.facts().get("start_wal_file");

        List<WalSegment> removed = WalRetention.prune(pitr.archive, List.of(second), false);

        assertThat(removed).isNotEmpty().allSatisfy(s -> assertThat(s.name().substring(0, 24)).isLessThan(secondStart));
        assertThat(pitr.archive.list()).extracting(WalSegment::name)
                .allSatisfy(n -> assertThat(n.substring(0, Math.min(24, n.length()))).isGreaterThanOrEqualTo(secondStart));
        // the pruned first base backup can no longer reach anything: refused before touching disk
        assertThatThrownBy(() -> PostgresPitr.restore(engine, "postgres-base", first.id(),
                PitrTarget.dataDirectory(pitr.path("pitr-pruned"), pitr.archive, RecoveryTarget.immediate())))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(PitrErrorCode.WAL_MISSING));
        RestoreResult r = PostgresPitr.restore(engine, "postgres-base", second.id(),
                PitrTarget.dataDirectory(pitr.path("pitr-kept"), pitr.archive, RecoveryTarget.latest())
                        .check("shop", Check.sql("select count(*) from orders").exactly(rows)));
        assertThat(r.checks()).allSatisfy(c -> assertThat(c.passed()).as(c.name() + ": " + c.detail()).isTrue());
        System.out.printf("WAL: %d files, %.1f MB pushed by the receiver; %d removed by retention%n",
                pitr.receiver.pushedFiles(), pitr.receiver.pushedBytes() / 1e6, removed.size());

    }

    @Test
    @Order(5)
    void theReadmesStandardToolsRestoreRecoversWithoutThisLibrary() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/age")) && Files.isExecutable(Path.of("/usr/bin/zstd")),
                "needs age and zstd");
        String readme = Files.readString(Path.of("README.md"));
        String section = readme.substring(readme.indexOf("### Point-in-time restore with standard tools only"));
        List<String> blocks = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```sh\n(.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(section);
        while (m.find() && blocks.size() < 2) {
            blocks.add(m.group(1));
        }
        assertThat(blocks).hasSize(2);
        Path data = pitr.path("by-hand");
        Files.writeString(Path.of(data + ".wal-fetch.sh"), blocks.get(0));
        Path key = pitr.work.resolve("key.txt");
        AgeKeys.writeIdentityFile(key, pitr.keys.identity(), java.time.Clock.systemUTC());
        DebianCluster.run("chown", "-R", "postgres", pitr.work.resolve("repo").toString());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String object = second.stream("base").orElseThrow().object();
        assertThat(object).isEqualTo("base.tar.zst.age");
        ProcessBuilder pb = new ProcessBuilder("sh", "-e", "-c", blocks.get(1)).redirectErrorStream(true);
        pb.environment().put("REPO", pitr.work.resolve("repo").toString());
        pb.environment().put("ID", second.id());
        pb.environment().put("KEY", key.toString());
        pb.environment().put("DATA", data.toString());
        pb.environment().put("PORT", Integer.toString(port));
        Process run = pb.start();
        String out = new String(run.getInputStream().readAllBytes());
        assertThat(run.waitFor()).as(out).isZero();
        try {
            String url = "jdbc:postgresql://127.0.0.1:" + port + "/";
            boolean inRecovery = true;
            for (int i = 0; i < 600 && inRecovery; i++) {
                try (var c = java.sql.DriverManager.getConnection(url + "postgres", "postgres", "");
                     var rs = c.createStatement().executeQuery("select pg_is_in_recovery()")) {
                    rs.next();
                    inRecovery = rs.getBoolean(1);
                } catch (java.sql.SQLException e) {
                    // still starting
                }
                if (inRecovery) {
                    Thread.sleep(100);
                }
            }
            assertThat(inRecovery).as(Files.readString(Path.of(data + ".log"))).isFalse();
            try (var c = java.sql.DriverManager.getConnection(url + "shop", "postgres", "");
                 var rs = c.createStatement().executeQuery("select count(*) from orders")) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(rowsAtEnd);
            }
            assertThat(Files.readString(Path.of(data + ".log"))).contains("restored log file");
        } finally {
            DebianCluster.run("runuser", "-u", "postgres", "--", DebianCluster.BIN.resolve("pg_ctl").toString(), "-D",
                    data.toString(), "-m", "immediate", "stop");
        }
    }

    @Test
    @Order(6)
    void archiveCommandModeArchivesTheSameSegmentsThroughTheMainEntryPoint() throws Exception {
        // the server runs the tiny main as user postgres: give it a readable copy of this test's classpath
        Path cp = Files.createDirectories(pitr.work.resolve("cp"));
        List<String> entries = new java.util.ArrayList<>();
        int n = 0;
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            if (e.isBlank() || !Files.exists(Path.of(e))) {
                continue;
            }
            Path copy = cp.resolve((n++) + "-" + Path.of(e).getFileName());
            DebianCluster.run("cp", "-r", e, copy.toString());
            entries.add(copy.toString());
        }
        Path cmdRepo = Files.createDirectories(pitr.work.resolve("repo-cmd"));
        Path recipients = Files.writeString(pitr.work.resolve("recipients.txt"), pitr.keys.recipient().encoded() + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path wrapper = Files.writeString(pitr.work.resolve("wal-push.sh"), "#!/bin/sh\nexec '" + java + "' -cp '"
                + String.join(":", entries) + "' com.eazepay.backup.postgres.WalArchive push '" + cmdRepo
                + "' postgres '" + recipients + "' \"$1\"\n");
        DebianCluster.run("chown", "-R", "postgres", pitr.work.toString());
        String command = "/bin/sh " + wrapper + " %p";
        pitr.primary.exec("postgres", "ALTER SYSTEM SET archive_mode = on",
                "ALTER SYSTEM SET archive_command = '" + command.replace("'", "''") + "'");
        DebianCluster.run("runuser", "-u", "postgres", "--", DebianCluster.BIN.resolve("pg_ctl").toString(), "-D",
                pitr.primary.data().toString(), "-l", pitr.primary.dir.resolve("log").toString(), "-w", "restart");
        pitr.primary.exec("shop", "INSERT INTO orders VALUES (5000000, 'archived by command')");
        String segment = pitr.primary.query("postgres", "select pg_walfile_name(pg_switch_wal())").get(0);
        WalArchive byCommand = WalArchive.builder().repository(FileSystemStorage.at(cmdRepo)).source("postgres")
                .encryption(pitr.age).build();
        try {
            pitr.waitFor(() -> byCommand.segment(segment).isPresent() && pitr.archive.segment(segment).isPresent(),
                    "segment " + segment + " archived by archive_command and by the receiver");
        } catch (AssertionError e) {
            String log = Files.readString(pitr.primary.dir.resolve("log"));
            String lines = log.lines().filter(l -> !l.contains("archive command was")).distinct()
                    .reduce("", (a, b) -> a + "\n" + b);
            throw new AssertionError(e.getMessage() + "; server log: " + lines.substring(Math.max(0, lines.length() - 3000)), e);
        }
        // two independent paths archived the same server's WAL: identical plaintext
        assertThat(byCommand.segment(segment).orElseThrow().sha256()).isEqualTo(pitr.archive.segment(segment).orElseThrow().sha256());
        assertThat(pitr.primary.query("postgres", "select failed_count from pg_stat_archiver").get(0)).isEqualTo("0");
    }
}
