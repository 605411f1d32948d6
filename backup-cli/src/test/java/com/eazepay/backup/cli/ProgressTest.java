package com.eazepay.backup.cli;

import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.storage.FileSystemStorage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** The progress line, with a test clock (no sleeps) and bytes counted through a real filesystem repository. */
class ProgressTest {

    @TempDir
    Path dir;

    @Test
    void onATerminalTheLineShowsBytesRateAndEtaAndIsRedrawnInPlace() throws IOException {
        AtomicLong nanos = new AtomicLong();
        StringWriter screen = new StringWriter();
        Progress p = new Progress(new PrintWriter(screen), true, nanos::get);
        CountingStorage repo = new CountingStorage(FileSystemStorage.at(dir), p.counter());
        p.start("restoring 'app'", 4 * 1024 * 1024);

        repo.put("a", new ByteArrayInputStream(new byte[1024 * 1024]), PutOptions.defaults());
        nanos.addAndGet(1_000_000_000L);
        p.draw();
        assertThat(screen.toString()).isEqualTo("\rrestoring 'app': 1.0 MiB of 4.0 MiB (25%), 1.0 MiB/s, ETA 0:03");

        try (InputStream in = repo.get("a")) {
            in.readAllBytes();
        }
        nanos.addAndGet(1_000_000_000L);
        p.draw();
        assertThat(screen.toString()).endsWith("\rrestoring 'app': 2.0 MiB of 4.0 MiB (50%), 1.0 MiB/s, ETA 0:02");

        p.close();
        assertThat(screen.toString()).endsWith("\r" + " ".repeat(62) + "\r");
    }

    @Test
    void withoutAnExpectedSizeThereIsNoEta() {
        AtomicLong nanos = new AtomicLong();
        Progress p = new Progress(new PrintWriter(new StringWriter()), true, nanos::get);
        p.start("copying to /mnt/offsite", -1);
        p.counter().addAndGet(3 * 1024);
        nanos.addAndGet(2_000_000_000L);
        assertThat(p.line()).isEqualTo("copying to /mnt/offsite: 3.0 KiB, 1.5 KiB/s");
        assertThat(Progress.eta(3725)).isEqualTo("1:02:05");
    }

    @Test
    void offATerminalNothingIsDrawn() {
        AtomicLong nanos = new AtomicLong();
        StringWriter screen = new StringWriter();
        Progress p = new Progress(new PrintWriter(screen), false, nanos::get);
        p.start("backing up", 100);
        p.counter().addAndGet(50);
        nanos.addAndGet(1_000_000_000L);
        p.draw();
        p.close();
        assertThat(screen.toString()).isEmpty();
    }
}
