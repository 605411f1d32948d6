package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.PutOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Directory fsyncs of {@link FileSystemStorage}. A power loss and a failing directory fsync cannot
 * be provoked on the test machine's disk, so the directory fsync itself is replaced by a recorder
 * (the files and directories are real).
 */
class FileSystemStorageDurabilityTest {

    @TempDir
    Path tmp;

    private static ByteArrayInputStream bytes(String s) {
        return new ByteArrayInputStream(s.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void aNewBackupDirectoryIsFsyncedInItsParentsUpToTheRoot() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("repo"));
        List<Path> synced = new CopyOnWriteArrayList<>();
        FileSystemStorage fs = new FileSystemStorage(root, synced::add);

        fs.put("x/20260301T020000Z-abcdef/data.bin", bytes("data"), PutOptions.defaults());

        // the file's directory (the rename), then each new directory's entry in its parent
        assertThat(synced).containsExactly(root.resolve("x/20260301T020000Z-abcdef"), root.resolve("x"), root);

        synced.clear();
        fs.put("x/20260301T020000Z-abcdef/manifest.json", bytes("{}"), PutOptions.defaults());
        assertThat(synced).containsExactly(root.resolve("x/20260301T020000Z-abcdef")); // known durable now

        synced.clear();
        assertThat(fs.putIfAbsent("locks/prune.json", bytes("{}"), PutOptions.defaults())).isTrue();
        assertThat(synced).containsExactly(root.resolve("locks"), root);
    }

    @Test
    void aFailingDirectoryFsyncFailsThePutInsteadOfBeingSwallowed() throws IOException {
        Path root = Files.createDirectories(tmp.resolve("repo"));
        FileSystemStorage fs = new FileSystemStorage(root, dir -> {
            throw new IOException("Input/output error");
        });

        assertThatThrownBy(() -> fs.put("x/id/manifest.json", bytes("{}"), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class, e -> {
                    assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.getMessage()).contains("x/id/manifest.json").contains("Input/output error");
                });
        assertThatThrownBy(() -> fs.putIfAbsent("locks/prune.json", bytes("{}"), PutOptions.defaults()))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.STORAGE_UNAVAILABLE));
    }

    @Test
    void theRealDirectoryFsyncWorksOnThisFilesystem() {
        FileSystemStorage fs = FileSystemStorage.at(tmp.resolve("repo"));
        fs.put("x/id/data.bin", bytes("data"), PutOptions.defaults());
        assertThat(fs.stat("x/id/data.bin")).isPresent();
    }
}
