package com.eazepay.backup.test;

import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FileSystemStorageTest extends StorageContract {

    @TempDir
    Path dir;

    @Override
    protected StorageTarget newStorage() {
        return FileSystemStorage.at(dir.resolve("repo"));
    }

    @Test
    void aFailedPutLeavesNoTemporaryFileBehind() throws IOException {
        assertThatThrownBy(() -> storage.put("a/b.bin",
                new FailingInputStream(new GeneratedInputStream(1 << 20, 1), 1000), PutOptions.defaults()));
        try (Stream<Path> files = Files.walk(dir)) {
            assertThat(files.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void deletingTheLastObjectRemovesEmptyDirectories() {
        storage.put("src/id/manifest.json", new ByteArrayInputStream(new byte[]{1}), PutOptions.defaults());
        storage.delete("src/id/manifest.json");
        assertThat(dir.resolve("repo/src")).doesNotExist();
        assertThat(dir.resolve("repo")).exists();
    }

    @Test
    void keysThatEscapeTheRootAreRejected() {
        assertThatThrownBy(() -> storage.put("../escape", new ByteArrayInputStream(new byte[0]), PutOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../escape");
        assertThatThrownBy(() -> storage.get("/etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
