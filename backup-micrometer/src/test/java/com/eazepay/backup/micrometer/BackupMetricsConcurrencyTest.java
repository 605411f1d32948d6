package com.eazepay.backup.micrometer;

import com.eazepay.backup.BackupEvent;
import com.eazepay.backup.CoreErrorCode;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Events from several threads (one per source, as the engine runs one backup per source at a time),
 * registries bound and scraped meanwhile: nothing is lost or registered twice. Events are fed directly:
 * the engine would need thousands of real backups for the same interleavings.
 */
class BackupMetricsConcurrencyTest {

    @Test
    void eventsOnManyThreadsWhileRegistriesAreBoundAndScrapedAreAllCounted() throws Exception {
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry first = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(first);
        int threads = 4;
        int perThread = 2_000;
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            String source = "s" + t;
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    Instant at = Instant.parse("2026-12-01T00:00:00Z");
                    for (int i = 0; i < perThread; i++) {
                        at = at.plusSeconds(60);
                        if (i % 4 == 3) {
                            metrics.onEvent(new BackupEvent.BackupFailed(source, "test", "id" + i, Duration.ofMillis(5),
                                    i % 8 == 3 ? CoreErrorCode.SOURCE_FAILED : CoreErrorCode.STORAGE_UNAVAILABLE, "x", at));
                        } else {
                            metrics.onEvent(new BackupEvent.BackupSucceeded(source, "test", "id" + i, Duration.ofMillis(10),
                                    1000 + i % 10, 2000, at));
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            w.start();
            workers.add(w);
        }
        start.await();
        PrometheusMeterRegistry second = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(second);
        for (int i = 0; i < 20; i++) {
            Scrape.parse(first.scrape());             // scrapes while events arrive must parse
        }
        for (Thread w : workers) {
            w.join();
        }
        assertThat(errors).isEmpty();
        for (PrometheusMeterRegistry registry : List.of(first, second)) {
            Scrape scrape = Scrape.parse(registry.scrape());
            for (int t = 0; t < threads; t++) {
                Map<String, String> source = Map.of("source", "s" + t);
                assertThat(scrape.require("backup_success_total", source)).isEqualTo(perThread * 3 / 4);
                assertThat(scrape.require("backup_duration_seconds_count", source)).isEqualTo(perThread * 3 / 4);
                assertThat(scrape.require("backup_failure_total", Map.of("source", "s" + t, "code", "SOURCE_FAILED")))
                        .isEqualTo(perThread / 8);
                assertThat(scrape.require("backup_failure_total", Map.of("source", "s" + t, "code", "STORAGE_UNAVAILABLE")))
                        .isEqualTo(perThread / 8);
                assertThat(scrape.require("backup_job_failure_count", source)).isEqualTo(1);   // the last event failed
                assertThat(scrape.require("backup_size_anomaly", source)).isZero();
            }
        }
    }
}
