package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.files.FilesSource;
import com.eazepay.backup.files.FilesTarget;
import com.eazepay.backup.internal.files.TarReader;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Files restore against hostile archives. Anyone who can write to the repository can store a backup under a
 * files source's name: here a "producing service" engine stores a hand-built tar as {@code config}'s backup
 * (through the real engine, so the manifest and checksum are valid), and a second engine restores it with the
 * real {@link FilesSource}. After each refused restore the whole temp tree (outside directory, victim file,
 * the target's would-be parents) must be exactly as before.
 */
class FilesRestoreSafetyTest {

    @TempDir
    Path tmp;

    TestClock clock;
    InMemoryStorage storage;
    Path outside;
    Path victim;
    Path target;

    @BeforeEach
    void setUp() throws IOException {
        clock = TestClock.create();
        storage = InMemoryStorage.withClock(clock);
        outside = Files.createDirectories(tmp.resolve("outside"));
        victim = outside.resolve("victim.txt");
        Files.writeString(victim, "original\n");
        Files.setPosixFilePermissions(victim, PosixFilePermissions.fromString("rw-r-----"));
        Files.createDirectories(tmp.resolve("source/config"));
        // Parents that do not exist yet: a failed restore must not leave them behind either.
        target = tmp.resolve("restores/new/config");
    }

    // ------------------------------------------------------------------ hostile archives

    @Test
    void restoreRefusesAFileWrittenThroughARelativeLinkThatEscapes() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            file(t, "config/ok.txt", 0644, "fine");
            symlink(t, "config/l", "../../../../outside");
            file(t, "config/l/pwned.txt", 0644, "pwned");
        }), "config/l/pwned.txt", "symbolic link");
        assertThat(outside.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void restoreRefusesAFileWrittenThroughAnAbsoluteLink() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            symlink(t, "config/l", outside.toString());
            file(t, "config/l/pwned.txt", 0644, "pwned");
        }), "config/l/pwned.txt", "symbolic link");
        assertThat(outside.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void restoreRefusesAFileEntryOverALinkSoTheLinkTargetIsNeitherWrittenNorChmodded() throws IOException {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            symlink(t, "config/v", victim.toString());
            file(t, "config/v", 0777, "pwned");
        }), "config/v", "symbolic link");
        assertThat(victim).hasContent("original");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(victim))).isEqualTo("rw-r-----");
    }

    @Test
    void restoreRefusesADirectoryEntryThroughALink() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            symlink(t, "config/l", "../../../../outside");
            dir(t, "config/l/", 0777);
            file(t, "config/l/sub/x", 0644, "pwned");
        }), "config/l", "symbolic link");
    }

    @Test
    void restoreRefusesALinkThatReplacesAnEarlierDirectory() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/d/");
            file(t, "config/d/a", 0600, "a");
            symlink(t, "config/d", "../../../../outside");
        }), "config/d", "repeats");
    }

    @Test
    void restoreRefusesHardLinks() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            file(t, "config/a", 0644, "a");
            TarArchiveEntry h = new TarArchiveEntry("config/h", TarArchiveEntry.LF_LINK);
            h.setLinkName(victim.toString());
            put(t, h, null);
        }), "config/h", "hard link");
        assertRefusedAndNothingChanged(tar(t -> {
            file(t, "config/a", 0644, "a");
            TarArchiveEntry h = new TarArchiveEntry("config/h", TarArchiveEntry.LF_LINK);
            h.setLinkName("config/a");
            put(t, h, null);
        }), "config/h", "hard link");
    }

    @Test
    void restoreRefusesASymbolicLinkWithAnEmptyTarget() {
        assertRefusedAndNothingChanged(tar(t -> {
            dir(t, "config/");
            symlink(t, "config/empty", "");
        }), "config/empty", "empty or invalid target");
    }

    @Test
    void restoreRefusesDeviceEntries() {
        assertRefusedAndNothingChanged(tar(t -> {
            TarArchiveEntry dev = new TarArchiveEntry("config/null", TarArchiveEntry.LF_CHR);
            dev.setDevMajor(1);
            dev.setDevMinor(3);
            put(t, dev, null);
        }), "config/null", "a device");
        assertRefusedAndNothingChanged(tar(t -> {
            TarArchiveEntry dev = new TarArchiveEntry("config/sda", TarArchiveEntry.LF_BLK);
            dev.setDevMajor(8);
            put(t, dev, null);
        }), "config/sda", "a device");
    }

    @Test
    void restoreRefusesFifoEntries() {
        assertRefusedAndNothingChanged(tar(t -> put(t, new TarArchiveEntry("config/pipe", TarArchiveEntry.LF_FIFO), null)),
                "config/pipe", "a fifo");
    }

    @Test
    void restoreRefusesDotDotAndAbsolutePaths() {
        assertRefusedAndNothingChanged(tar(t -> file(t, "../../../outside/pwned.txt", 0644, "pwned")),
                "../../../outside/pwned.txt", "outside the target");
        assertRefusedAndNothingChanged(tar(t -> file(t, "config/../../x.txt", 0644, "pwned")),
                "config/../../x.txt", "outside the target");
        assertRefusedAndNothingChanged(tar(t -> {
            TarArchiveEntry abs = new TarArchiveEntry(outside.resolve("pwned.txt").toString(), true);
            abs.setSize(5);
            put(t, abs, "pwned");
        }), "pwned.txt", "outside the target");
        assertThat(outside.resolve("pwned.txt")).doesNotExist();
    }

    @Test
    void aLinkPointingOutsideIsRestoredAsALinkAndNeverFollowed() throws IOException {
        storeHostileBackup(tar(t -> {
            dir(t, "config/");
            symlink(t, "config/v", victim.toString());
            file(t, "config/after.txt", 0640, "data");
        }));
        Snapshot before = snapshotOutsideTarget();
        try (BackupEngine engine = restorer()) {
            engine.restore("config").latest().into(FilesTarget.directory(target)).run();
        }
        assertThat(Files.readSymbolicLink(target.resolve("config/v"))).isEqualTo(victim);
        assertThat(target.resolve("config/after.txt")).hasContent("data");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target.resolve("config/after.txt"))))
                .isEqualTo("rw-r-----");
        assertThat(snapshotOutsideTarget()).isEqualTo(before);
    }

    // ------------------------------------------------------------------ links already in the target

    @Test
    void overwritingRestoreRefusesALinkInTheTargetWhereTheBackupHasADirectory() throws IOException {
        Path source = tmp.resolve("source/config");
        Files.createDirectories(source.resolve("conf.d"));
        Files.writeString(source.resolve("conf.d/limits.yml"), "daily: 1\n");
        Files.createDirectories(target);
        Files.createSymbolicLink(target.resolve("config"), outside);
        try (BackupEngine engine = restorer()) {
            engine.backup("config").run();
            Snapshot before = snapshot(tmp);
            assertThatThrownBy(() -> engine.restore("config").latest().into(FilesTarget.directory(target).replaceExisting()).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.TARGET_NOT_EMPTY))
                    .hasMessageContaining("symbolic link").hasMessageContaining("nothing was written");
            assertThat(snapshot(tmp)).isEqualTo(before);
        }
        assertThat(outside.resolve("conf.d")).doesNotExist();
    }

    // ------------------------------------------------------------------ staging permissions, failed restores

    @Test
    void stagedFilesAreOwnerOnlyUntilCommitThenGetTheirArchivedModes() throws IOException {
        byte[] archive = tar(t -> {
            dir(t, "config/", 0755);
            file(t, "config/secret.env", 0644, "KEY=1\n");
        });
        List<String> seenWhileStaging = new ArrayList<>();
        InputStream in = new FilterInputStream(new ByteArrayInputStream(archive)) {
            boolean checked;

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n < 0 && !checked) {
                    checked = true; // the whole archive was read: everything is staged, nothing committed yet
                    try (Stream<Path> s = Files.list(target.getParent())) {
                        Path staging = s.filter(p -> p.getFileName().toString().startsWith(".config.restore-")).findFirst().orElseThrow();
                        seenWhileStaging.add(mode(staging));
                        seenWhileStaging.add(mode(staging.resolve("config")));
                        seenWhileStaging.add(mode(staging.resolve("config/secret.env")));
                    }
                    assertThat(target).doesNotExist();
                }
                return n;
            }
        };
        TarReader.extract(in, target, false);
        assertThat(seenWhileStaging).containsExactly("rwx------", "rwx------", "rw-------");
        assertThat(mode(target.resolve("config"))).isEqualTo("rwxr-xr-x");
        assertThat(mode(target.resolve("config/secret.env"))).isEqualTo("rw-r--r--");
    }

    @Test
    void aFailedRestoreRemovesTheParentDirectoriesItCreated() {
        try (BackupEngine engine = restorer()) {
            BackupResult r = engine.backup("config").run();
            String key = "config/" + r.id() + "/files.tar.zst";
            byte[] data = storage.bytes(key);
            data[data.length / 2] ^= 0x5a;
            storage.overwrite(key, data);
            assertThatThrownBy(() -> engine.restore("config").latest().into(FilesTarget.directory(target)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        }
        assertThat(tmp.resolve("restores")).doesNotExist();
    }

    // ------------------------------------------------------------------ helpers

    private void assertRefusedAndNothingChanged(byte[] archive, String entry, String reason) {
        storeHostileBackup(archive);
        Snapshot before = snapshot(tmp);
        try (BackupEngine engine = restorer()) {
            assertThatThrownBy(() -> engine.restore("config").latest().into(FilesTarget.directory(target)).run())
                    .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA))
                    .hasMessageContaining(entry).hasMessageContaining(reason).hasMessageContaining("nothing was restored");
        }
        assertThat(snapshot(tmp)).isEqualTo(before);
        assertThat(tmp.resolve("restores")).doesNotExist();
    }

    /** A producing service with write access to the repository stores {@code archive} as config's files stream. */
    private void storeHostileBackup(byte[] archive) {
        BackupSource hostile = new BackupSource() {
            @Override
            public String name() {
                return "config";
            }

            @Override
            public String type() {
                return "files";
            }

            @Override
            public void backup(BackupContext context) {
                try (OutputStream out = context.newStream("files", "tar")) {
                    out.write(archive);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                throw new UnsupportedOperationException("the writer never restores");
            }
        };
        clock.advance(java.time.Duration.ofMinutes(1));
        try (BackupEngine writer = Backup.engine().repository(storage).compression(Compression.zstd())
                .encryption(Encryption.none()).clock(clock).source(hostile).build()) {
            writer.backup("config").run();
        }
        clock.advance(java.time.Duration.ofMinutes(1));
    }

    private BackupEngine restorer() {
        return Backup.engine().repository(storage).compression(Compression.zstd()).encryption(Encryption.none()).clock(clock)
                .source(FilesSource.builder("config").directory(tmp.resolve("source/config")).build()).build();
    }

    @FunctionalInterface
    interface TarBody {
        void write(TarArchiveOutputStream t) throws IOException;
    }

    private static byte[] tar(TarBody body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes, "UTF-8")) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            body.write(t);
            t.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static void dir(TarArchiveOutputStream t, String name) throws IOException {
        dir(t, name, 0755);
    }

    private static void dir(TarArchiveOutputStream t, String name, int mode) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040000 | mode);
        put(t, e, null);
    }

    private static void file(TarArchiveOutputStream t, String name, int mode, String content) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, true);
        e.setMode(0100000 | mode);
        e.setSize(content.getBytes(StandardCharsets.UTF_8).length);
        put(t, e, content);
    }

    private static void symlink(TarArchiveOutputStream t, String name, String linkTarget) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
        e.setLinkName(linkTarget);
        e.setMode(0120777);
        put(t, e, null);
    }

    private static void put(TarArchiveOutputStream t, TarArchiveEntry e, String content) throws IOException {
        t.putArchiveEntry(e);
        if (content != null) {
            t.write(content.getBytes(StandardCharsets.UTF_8));
        }
        t.closeArchiveEntry();
    }

    private static String mode(Path p) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Snapshot snapshotOutsideTarget() {
        Snapshot all = snapshot(tmp);
        all.entries().keySet().removeIf(k -> k.startsWith("restores"));
        return all;
    }

    /** Every path under {@code root} with its type, mode, mtime and content digest or link target; links never followed. */
    private static Snapshot snapshot(Path root) {
        TreeMap<String, String> entries = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                PosixFileAttributes a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                String what = a.isSymbolicLink() ? "link->" + Files.readSymbolicLink(p)
                        : a.isDirectory() ? "dir"
                        : "file:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                entries.put(root.relativize(p).toString(), what + " " + PosixFilePermissions.toString(a.permissions())
                        + (a.isDirectory() ? "" : " " + a.lastModifiedTime()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return new Snapshot(entries);
    }

    record Snapshot(TreeMap<String, String> entries) {
    }
}
