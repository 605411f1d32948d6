package com.eazepay.backup.benchmarks;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The harness through the real engine and FileSystemStorage, at a few MiB (the GiB runs are in run.sh). */
class EndToEndBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void everyCombinationBacksUpAndVerifiesTheFullSizeAndLeavesNoRepositoryBehind() {
        byte[] rows = PaymentRows.generate(1 << 20);
        long size = 3L << 20;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);
        for (String compression : List.of("none", "gzip", "zstd1", "zstd3")) {
            for (String encryption : List.of("none", "age")) {
                EndToEndBenchmark.Result r = EndToEndBenchmark.run(compression, encryption, size, rows, dir, out);
                assertThat(r.verified()).as("%s + %s verified", compression, encryption).isTrue();
                assertThat(r.plaintextBytes()).isEqualTo(size);
                if (compression.equals("none")) {
                    assertThat(r.storedBytes()).isGreaterThanOrEqualTo(size);
                } else {
                    assertThat(r.ratio()).as("%s on rows", compression).isLessThan(0.5);
                }
                assertThat(r.backupPeakUsed()).isPositive();
                assertThat(dir.resolve(compression + "-" + encryption)).doesNotExist();
            }
        }
        assertThat(printed.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("| ")).count()).isEqualTo(8);
    }

    @Test
    void ageKeysNeverAppearInTheOutputLogsOrToString() throws Exception {
        AgeEncryption age = Codecs.ageWithFreshKey();
        assertThat(age.toString()).doesNotContain("AGE-SECRET-KEY");
        PrintStream originalErr = System.err;
        ByteArrayOutputStream everything = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(everything, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        try {
            EndToEndBenchmark.run("zstd1", "age", 1 << 20, PaymentRows.generate(1 << 20), dir, capture);
        } finally {
            System.setErr(originalErr);
        }
        String text = everything.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("| zstd1 | age |").doesNotContainIgnoringCase("AGE-SECRET-KEY");
        assertThat(Files.list(dir)).isEmpty();
    }

    @Test
    void theSyntheticSourceRefusesRestoresNamingVerifyInstead() {
        SyntheticPaymentsSource source = new SyntheticPaymentsSource("payments", 10, new byte[] {1});
        assertThatThrownBy(() -> source.restore(null, null))
                .isInstanceOfSatisfying(BackupException.class,
                        e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("verify");
    }

    @Test
    void sizesParseWithBinarySuffixes() {
        assertThat(Machine.parseSize("4g")).isEqualTo(4L << 30);
        assertThat(Machine.parseSize("64m")).isEqualTo(64L << 20);
        assertThat(Machine.parseSize("0.5G")).isEqualTo(512L << 20);
        assertThat(Machine.parseSize("1000")).isEqualTo(1000);
    }
}
