package com.eazepay.backup.benchmarks;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The side-by-side harness end to end at a tiny size with the real tools (Debian PostgreSQL 15, pg_dump,
 * pg_restore, zstd, age, gzip, redis-server, redis-cli) and mongo-java-server: every variant runs and is
 * printed with its load average, our restores' checks pass (the harness throws otherwise), and no age
 * secret key shows in what it prints.
 */
class SideBySideBenchmarkTest {

    @TempDir
    Path dir;

    @Test
    void everyVariantRunsOnRealToolsAndIsPrintedWithItsLoad() throws Exception {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            SideBySideBenchmark.main(new String[] {"--parts=pg,redis,mongo", "--dataset=payments", "--rows=3000",
                    "--redis-size=1m", "--mongo-docs=500", "--rounds=1", "--dir=" + dir.resolve("sbs")});
        } finally {
            System.setOut(saved);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("| pg_dump -Fc -Z0 > /dev/null (floor) | 1 |",
                "| pg_dump -Fc -Z0 | zstd -1 -T2 | age (stock) | 1 |", "| pg_dump | gzip (cron script, round 1 only) | 1 |",
                "| ours: engine.backup().run(), default (zstd 1 + age) | 1 |", "| ours, skipRowCounts() | 1 |",
                "| restore: createdb + pg_restore local -Z0 file (stock) | 1 |",
                "| restore: ours (PostgresTarget.newDatabase, checks) | 1 |",
                "| redis-cli --rdb file (stock) | 1 |", "| ours: capture, zstd 1 + age | 1 |",
                "| ours: live restore into an empty redis-server | 1 |", "keys/s",
                "| ours: backup (zstd 1 + age) | 1 |", "| ours: restore into a new database, 1 insertion worker | 1 |",
                "| ours: restore into a new database, 4 insertion workers | 1 |", "load average at end");
        if (MongoBench.findTools(null).isPresent()) {
            assertThat(text).contains("| " + MongoBench.FLOOR + " | 1 |", "| " + MongoBench.STOCK_RESTORE + " | 1 |");
        } else {
            assertThat(text).contains("no mongodump/mongorestore on this machine (PATH, --mongo-tools): stock rows skipped")
                    .doesNotContain(MongoBench.FLOOR);
        }
        assertThat(text).doesNotContain("AGE-SECRET-KEY-");
        assertThat(dir.resolve("sbs")).doesNotExist();
    }

    /**
     * With the real mongodump/mongorestore (built from source into /opt/mongo-tools/bin, see the README; skipped
     * where they are not there), the Mongo part runs the stock rows against mongo-java-server next to ours:
     * mongorestore's document count is checked by the harness, which throws otherwise.
     */
    @Test
    void mongoStockRowsRunWithTheRealToolsWhenGiven() throws Exception {
        Path tools = Path.of("/opt/mongo-tools/bin");
        assumeTrue(Files.isExecutable(tools.resolve("mongodump")) && Files.isExecutable(tools.resolve("mongorestore")),
                "mongodump/mongorestore not built in " + tools);
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream saved = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            SideBySideBenchmark.main(new String[] {"--parts=mongo", "--mongo-docs=500", "--rounds=1",
                    "--mongo-tools=" + tools, "--dir=" + dir.resolve("sbs")});
        } finally {
            System.setOut(saved);
        }
        String text = printed.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("mongodump/mongorestore 100.", "| " + MongoBench.FLOOR + " | 1 |",
                "| " + MongoBench.STOCK + " | 1 |", "| " + MongoBench.OURS + " | 1 |",
                "| " + MongoBench.STOCK_RESTORE + " | 1 |", "| " + MongoBench.restoreLabel(2) + " | 1 |");
        assertThat(text).doesNotContain("AGE-SECRET-KEY-");
        assertThat(dir.resolve("sbs")).doesNotExist();
    }

    @Test
    void aMongoToolsDirectoryWithoutTheToolsIsRefused() {
        assertThatThrownBy(() -> MongoBench.findTools(dir)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no executable mongodump and mongorestore");
    }
}
