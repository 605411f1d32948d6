package com.eazepay.backup.codec;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.files.CommandSource;
import com.eazepay.backup.files.StreamTarget;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.test.InMemoryStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Third-party compression codecs are found by id through ServiceLoader, so their backups stay restorable. */
class CompressionProviderTest {

    static final String DATA = "id,amount\n" + "7,250\n".repeat(100);

    @TempDir
    Path tmp;

    private static CommandSource source() {
        return CommandSource.builder("ledger", "sh", "-c", "printf '%s' \"$DATA\"").environment("DATA", DATA).build();
    }

    private static BackupEngineBuilder engine(InMemoryStorage storage) {
        return Backup.engine().repository(storage).encryption(Encryption.none()).source(source());
    }

    @Test
    void aBackupWrittenWithAThirdPartyCodecRestoresWithAFreshEngine() throws IOException {
        InMemoryStorage storage = InMemoryStorage.create();
        BackupResult r;
        try (BackupEngine engine = engine(storage).compression(new XorCompression(0x5a)).build()) {
            r = engine.backup("ledger").run();
        }
        assertThat(r.manifest().compression().id()).isEqualTo("test-xor");
        assertThat(r.manifest().compression().parameters()).containsEntry("key", 0x5a);
        byte[] stored = storage.bytes("ledger/" + r.id() + "/output.bin.xor");
        assertThat(stored).hasSize(DATA.length()).isNotEqualTo(DATA.getBytes());

        Path out = tmp.resolve("ledger.csv");
        try (BackupEngine fresh = engine(storage).build()) {   // default zstd: reads test-xor through its provider
            fresh.restore("ledger").id(r.id()).into(StreamTarget.file(out)).run();
        }
        assertThat(Files.readString(out)).isEqualTo(DATA);
    }

    @Test
    void anEngineWithoutTheCodecsProviderFailsTheRestoreNamingTheIdAndTheJarToAdd() throws Exception {
        InMemoryStorage storage = InMemoryStorage.create();
        BackupResult r;
        try (BackupEngine engine = engine(storage).compression(new XorCompression(7)).build()) {
            r = engine.backup("ledger").run();
        }
        // A class loader that sees backup-api's built-ins but not this module's test resources: the codec jar is "missing".
        ClassLoader withoutTestCodec = new URLClassLoader(new URL[0], Compression.class.getClassLoader()) {
            @Override
            public java.util.Enumeration<URL> getResources(String name) throws IOException {
                java.util.List<URL> kept = java.util.Collections.list(super.getResources(name)).stream()
                        .filter(u -> !u.toString().contains("test-classes")).toList();
                return java.util.Collections.enumeration(kept);
            }
        };
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(withoutTestCodec);
        try (BackupEngine fresh = engine(storage).build()) {
            t.setContextClassLoader(before);
            assertThatThrownBy(() -> fresh.restore("ledger").id(r.id()).into(StreamTarget.file(tmp.resolve("x"))).run())
                    .isInstanceOfSatisfying(BackupException.class,
                            e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining("unknown compression 'test-xor'")
                    .hasMessageContaining("add the jar that provides the 'test-xor' codec to the class path");
            assertThat(tmp.resolve("x")).doesNotExist();
        } finally {
            t.setContextClassLoader(before);
        }
    }

    @Test
    void anEngineRefusesACodecNoProviderCanReadBack() {
        Compression orphan = new Compression() {
            @Override public String id() { return "orphan"; }
            @Override public String extension() { return "orph"; }
            @Override public java.util.Map<String, Object> parameters() { return java.util.Map.of(); }
            @Override public java.io.OutputStream compress(java.io.OutputStream out) { return out; }
            @Override public java.io.InputStream decompress(java.io.InputStream in) { return in; }
        };
        assertThatThrownBy(() -> engine(InMemoryStorage.create()).compression(orphan).build())
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("compression 'orphan'")
                .hasMessageContaining("META-INF/services/com.eazepay.backup.spi.CompressionProvider");
    }

    @Test
    void builtInIdsResolveThroughTheirProviders() {
        assertThat(Compression.forId("zstd").id()).isEqualTo("zstd");
        assertThat(Compression.forId("gzip").id()).isEqualTo("gzip");
        assertThat(Compression.forId("none").id()).isEqualTo("none");
        assertThat(Compression.forId("test-xor").id()).isEqualTo("test-xor");
        assertThatThrownBy(() -> Compression.forId("lz5"))
                .hasMessageContaining("unknown compression 'lz5'")
                .hasMessageContaining("on the class path");
    }
}
