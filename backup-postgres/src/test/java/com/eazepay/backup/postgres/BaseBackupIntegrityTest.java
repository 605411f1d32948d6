package com.eazepay.backup.postgres;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.IntegrityReport;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.test.StreamFilteringSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code verify().integrity()} of {@code postgres-base} backups runs pg_verifybackup on the extracted tar, against a
 * real Debian PostgreSQL 15 server: a data file altered before the engine hashed and encrypted the stream (so the
 * stored object's SHA-256 matches its manifest) fails with pg_verifybackup's message; a good base backup passes.
 * Verification runs on a repository-only engine (the provider's restore-only source), with its temp directory.
 */
class BaseBackupIntegrityTest {

    static DebianCluster primary;
    static Path work;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(DebianCluster.available(), "needs the Debian PostgreSQL 15 server binaries and root (runuser)");
        primary = DebianCluster.initdb();
        work = Files.createTempDirectory("base-integrity-test-");
        primary.exec("postgres", "CREATE TABLE orders AS SELECT g AS id, repeat('x', 100) AS note FROM generate_series(1, 20000) g",
                "CHECKPOINT");
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (primary != null) {
                primary.close();
            }
        } finally {
            if (work != null) {
                DebianCluster.run("rm", "-rf", work.toString());
            }
        }
    }

    @Test
    void aBaseBackupWithAnAlteredDataFileFailsIntegrityWithPgVerifybackupsMessageAndAGoodOnePasses() throws Exception {
        FileSystemStorage repo = FileSystemStorage.at(Files.createDirectories(work.resolve("repo")));
        AgeKeys keys = AgeKeys.generate();
        AgeEncryption age = AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
        PostgresBaseBackupSource real = PostgresBaseBackupSource.builder().name("good").host("127.0.0.1")
                .port(primary.port).build();
        Tampering tampered = new Tampering();
        BackupEngine writer = Backup.engine().repository(repo).encryption(age).source(real)
                .source(tampered.wrap(PostgresBaseBackupSource.builder().name("tampered").host("127.0.0.1")
                        .port(primary.port).build()))
                .build();
        Manifest good = writer.backup("good").run().manifest();
        Manifest bad = writer.backup("tampered").run().manifest();
        assertThat(tampered.altered).as("a data file under base/ was altered in flight").isNotNull();

        Path verifyTmp = Files.createDirectories(work.resolve("verify-tmp"));
        // disaster recovery: the repository and the key only; the provider's source brings the validator
        BackupEngine dr = Backup.repository(repo).encryption(age).build();
        long t0 = System.nanoTime();
        IntegrityReport ok = dr.verify("good").id(good.id()).integrity();
        System.out.printf("integrity with pg_verifybackup: %.1f MB base backup (tar) in %d ms%n",
                good.streams().get(0).plaintextSize() / 1e6, (System.nanoTime() - t0) / 1_000_000);
        IntegrityReport broken = dr.verify("tampered").id(bad.id()).integrity();

        assertThat(ok.passed()).as(ok.toString()).isTrue();
        assertThat(ok.toString()).contains("pg_verifybackup");
        assertThat(broken.passed()).as(broken.toString()).isFalse();
        assertThat(broken.toString()).contains("pg_verifybackup").contains(tampered.altered)
                .containsAnyOf("checksum mismatch", "CRC");
        // the stored object itself is intact: its SHA-256 matches the manifest (the engine hashed the altered bytes)
        assertThat(broken.toString()).doesNotContain("CHECKSUM_MISMATCH");
        try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("eazepay-verifybackup-"));
        }

        // the temp directory is configurable
        PostgresBaseBackupSource configured = PostgresBaseBackupSource.builder().name("good").host("127.0.0.1")
                .port(primary.port).verifyTempDirectory(verifyTmp).build();
        BackupEngine withTmp = Backup.engine().repository(repo).encryption(age).source(configured).build();
        assertThat(withTmp.verify("good").id(good.id()).integrity().passed()).isTrue();
        try (Stream<Path> left = Files.list(verifyTmp)) {
            assertThat(left).as("the extracted copy is deleted").isEmpty();
        }
    }

    /**
     * Flips one byte of the first relation file under {@code base/} in a postgres-base stream on its way to the
     * engine: the engine compresses, encrypts and hashes the altered tar, as if the data file had been corrupted
     * before pg_basebackup read it.
     */
    static final class Tampering {
        volatile String altered;

        BackupSource wrap(PostgresBaseBackupSource source) {
            return StreamFilteringSource.of(source, out -> new TarTamper(out));
        }

        /** Reads tar headers in 512-byte blocks and flips one byte in the first data block of a relation file. */
        final class TarTamper extends FilterOutputStream {
            private final byte[] block = new byte[512];
            private int filled;
            private long dataBlocksLeft;
            private boolean flipNext;

            TarTamper(OutputStream out) {
                super(out);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                while (len > 0) {
                    int n = Math.min(len, 512 - filled);
                    System.arraycopy(b, off, block, filled, n);
                    filled += n;
                    off += n;
                    len -= n;
                    if (filled == 512) {
                        block();
                        out.write(block);
                        filled = 0;
                    }
                }
            }

            private void block() {
                if (dataBlocksLeft > 0) {
                    if (flipNext) {
                        block[100] ^= (byte) 0xFF;
                        flipNext = false;
                    }
                    dataBlocksLeft--;
                    return;
                }
                String name = new String(block, 0, 100, StandardCharsets.US_ASCII).replace("\0", "");
                String octal = new String(block, 124, 12, StandardCharsets.US_ASCII).replace("\0", "").trim();
                long size = octal.isEmpty() ? 0 : Long.parseLong(octal, 8);
                dataBlocksLeft = (size + 511) / 512;
                if (altered == null && block[156] == '0' && name.startsWith("base/") && size >= 8192) {
                    altered = name;
                    flipNext = true;
                }
            }

            @Override
            public void close() throws IOException {
                if (filled > 0) {
                    out.write(block, 0, filled);
                    filled = 0;
                }
                super.close();
            }
        }
    }
}
