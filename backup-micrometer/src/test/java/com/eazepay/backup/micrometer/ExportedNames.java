package com.eazepay.backup.micrometer;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.CoreErrorCode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What the binder exports, as Prometheus names, and the metric names a PromQL text uses. */
final class ExportedNames {

    private static final Pattern METRIC = Pattern.compile("(?<![a-zA-Z0-9_:])(backup[_:][a-zA-Z0-9_:]*)");

    private ExportedNames() {
    }

    /** Every series name a scrape shows once each kind of meter has data (events fed directly). */
    static Set<String> all() {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        Instant at = Instant.parse("2026-12-01T02:00:00Z");
        metrics.onEvent(new BackupEvent.BackupSucceeded("postgres", "postgres", "id-1", Duration.ofSeconds(3), 100, 400, at));
        metrics.onEvent(new BackupEvent.BackupFailed("postgres", "postgres", "id-2", Duration.ofSeconds(1),
                CoreErrorCode.SOURCE_FAILED, "failed", at));
        metrics.onEvent(new BackupEvent.RestoreSucceeded("postgres", "id-1", "scratch", Duration.ofSeconds(2), true, at));
        metrics.objective("postgres", Duration.ofHours(1), Duration.ofDays(1));
        metrics.walArchiveLag("postgres", () -> 12.5);
        metrics.onEvent(new BackupEvent.CertificateExpiring("certs", "tls/server.pem", "CN=pay", "1A", at.plus(Duration.ofDays(10)), at));
        metrics.onEvent(new BackupEvent.BackupSucceeded("certs", "files", "id-3", Duration.ofSeconds(1), 10, 10, at));
        return new TreeSet<>(Scrape.parse(registry.scrape()).names());
    }

    /** Names of metrics (and recording rules) a PromQL expression refers to: identifiers starting with "backup_" or "backup:". */
    static Set<String> usedIn(String promql) {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(promql);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    static Path examples(String relative) {
        Path p = Path.of("..", "examples").resolve(relative);
        if (!Files.isRegularFile(p)) {
            throw new AssertionError("missing " + p.toAbsolutePath().normalize() + " (tests run from the backup-micrometer module)");
        }
        return p;
    }
}
