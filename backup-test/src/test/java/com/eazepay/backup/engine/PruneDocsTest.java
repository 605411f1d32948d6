package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.PruneReport;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.test.InMemoryStorage;
import com.eazepay.backup.test.TestClock;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Produces the dry-run output shown in {@code docs/retention.md} ("Pruning through the engine") and
 * checks that the documented output is what the engine prints (backup ids' random suffixes and the
 * in-memory storage names differ per run and are masked).
 */
class PruneDocsTest {

    private static final Pattern DOC_BLOCK = Pattern.compile("<!-- prune-dry-run -->\\s*```\\n(.*?)```", Pattern.DOTALL);

    @Test
    void documentedDryRunIsWhatTheEnginePrints() throws IOException {
        TestClock clock = TestClock.at(Instant.parse("2026-11-06T02:00:00Z"));
        InMemoryStorage primary = InMemoryStorage.withClock(clock);
        InMemoryStorage offsite = InMemoryStorage.withClock(clock);
        try (BackupEngine engine = Backup.engine().repository(primary).replica(offsite).compression(Compression.none())
                .encryption(Encryption.none()).source(new PruneEngineTest.TinySource("db")).clock(clock)
                .retention("db", RetentionPolicy.builder().keepDaily(7).keepWeekly(3).keepTagged("pre-deploy").build())
                .replicaRetention(offsite, "db", RetentionPolicy.builder().keepLast(14).build())
                .build()) {
            List<String> ids = new ArrayList<>();
            for (int d = 0; d < 21; d++) {
                clock.set(Instant.parse("2026-11-06T02:00:00Z").plus(Duration.ofDays(d)));
                ids.add(engine.backup("db").run().id());
                if (d == 6) {
                    clock.set(Instant.parse("2026-11-12T14:31:07Z"));
                    engine.backup("db").tag("pre-deploy").run();
                }
            }
            clock.set(Instant.parse("2026-11-26T03:00:00Z"));
            engine.pin("db", ids.get(2));
            engine.legalHold("db", ids.get(5), true);
            engine.verify("db").id(ids.get(10)).run();
            primary.put("db/20261124T020000Z-f41led/data.txt", new ByteArrayInputStream(new byte[]{'a'}), PutOptions.defaults());
            primary.touch("db/20261124T020000Z-f41led/data.txt", Instant.parse("2026-11-24T02:00:07Z"));

            PruneReport plan = engine.prune().dryRun();

            String table = plan.toTable();
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target/prune-dry-run.txt"), table);
            assertThat(plan.entries()).hasSize(2);
            assertThat(plan.primary("db").orElseThrow().plan().kept()).hasSize(12);
            assertThat(plan.primary("db").orElseThrow().unfinishedRemoved()).containsExactly("20261124T020000Z-f41led");
            assertThat(plan.entry("db", offsite.describe()).orElseThrow().plan().kept()).hasSize(16);

            Path doc = Path.of("../docs/retention.md");
            if (Files.exists(doc)) {
                Matcher m = DOC_BLOCK.matcher(Files.readString(doc));
                assertThat(m.find()).as("docs/retention.md has a <!-- prune-dry-run --> block").isTrue();
                assertThat(mask(m.group(1))).isEqualTo(mask(table));
            }
        }
    }

    private static String mask(String s) {
        return s.replaceAll("(\\d{8}T\\d{6}(?:\\.\\d{3})?Z-)[a-z0-9]{6}", "$1xxxxxx").replaceAll("memory://[0-9a-f]+", "memory://x");
    }
}
