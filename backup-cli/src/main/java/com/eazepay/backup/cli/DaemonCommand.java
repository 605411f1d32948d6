package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.micrometer.BackupMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;

/**
 * Runs the configured schedules until SIGTERM, serving Prometheus metrics and a health document over
 * HTTP: the long-running form of the command line (a Kubernetes Deployment, a systemd service).
 */
@Command(name = "daemon", description = {"Runs the schedules of the configuration (sources' schedule:, prune:, verify:, "
        + "copies:) until stopped, and serves GET /metrics (Prometheus text) and GET /health (JSON: 200 when no source "
        + "failed since its last success and no RPO is breached, else 503).",
        "SIGTERM stops it: no new job starts, running backups finish (up to 5 minutes, then they are aborted and "
        + "nothing partial is committed). Replicas sharing a repository run each slot once."})
final class DaemonCommand implements Callable<Integer> {

    private static final Logger LOG = LoggerFactory.getLogger(DaemonCommand.class);
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS);

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:9464",
            description = "Where to serve /metrics and /health (default ${DEFAULT-VALUE}, loopback only; "
                    + "0.0.0.0:9464 in a container). Port 0 picks a free port.")
    String listen;

    @Option(names = "--refresh", paramLabel = "DURATION", defaultValue = "PT5M",
            description = "How often the metrics are re-read from the repository (backups by other processes, "
                    + "prunes), ISO-8601 (default ${DEFAULT-VALUE}).")
    Duration refresh;

    @Override
    public Integer call() throws Exception {
        InetSocketAddress address = address(listen);
        if (refresh.compareTo(Duration.ofSeconds(10)) < 0) {
            throw new Main.UsageException("--refresh must be at least PT10S, was " + refresh);
        }
        BackupConfig config = BackupConfig.load(main.configFile());
        BackupMetrics metrics = BackupMetrics.create();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        metrics.bindTo(registry);
        BackupEngine engine;
        try {
            engine = config.engineBuilder().listener(metrics).build();
        } catch (RuntimeException e) {
            config.close();
            throw e;
        }
        readRepository(metrics, engine);
        HttpServer server;
        try {
            server = HttpServer.create(address, 16);
        } catch (IOException e) {
            engine.close();
            config.close();
            throw new Main.UsageException("cannot listen on " + listen + ": " + e.getMessage()
                    + " (is another daemon running? choose another port with --listen)");
        }
        server.createContext("/metrics", ex -> respond(ex, 200, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
        server.createContext("/health", ex -> health(ex, engine));
        server.setExecutor(Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "backup-daemon-http");
            t.setDaemon(true);
            return t;
        }));
        ScheduledExecutorService refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "backup-daemon-metrics");
            t.setDaemon(true);
            return t;
        });
        refresher.scheduleWithFixedDelay(() -> readRepository(metrics, engine), refresh.toMillis(), refresh.toMillis(),
                TimeUnit.MILLISECONDS);

        CountDownLatch stopped = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            LOG.info("stopping: no new job starts; running jobs finish per the shutdown policy");
            try {
                refresher.shutdownNow();
                engine.close(); // closes the scheduler: waits for running jobs or aborts them at the timeout
                server.stop(0);
                config.close();
                LOG.info("stopped");
            } finally {
                stopped.countDown();
            }
        }, "backup-daemon-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        server.start();
        engine.scheduler().start();
        PrintWriter out = spec.commandLine().getOut();
        out.println("serving http://" + hostPort(server.getAddress()) + "/metrics and /health; "
                + engine.status().sources().stream().filter(s -> s.schedule() != null).count() + " scheduled source(s)");
        out.flush();
        stopped.await(); // the JVM exits after the hook (SIGTERM: exit status 143)
        return Main.OK;
    }

    private static void readRepository(BackupMetrics metrics, BackupEngine engine) {
        try {
            metrics.readRepository(engine);
        } catch (BackupException e) {
            // the repository is unreachable now: the metrics keep what this process saw; the next refresh retries
            LOG.warn("metrics not refreshed from the repository: {}: {}", e.errorCode().name(), e.getMessage());
        }
    }

    private static void health(HttpExchange ex, BackupEngine engine) throws IOException {
        EngineStatus status;
        try {
            status = engine.status();
        } catch (BackupException e) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("status", "DOWN");
            doc.put("error", e.errorCode().name() + ": " + e.getMessage());
            respond(ex, 503, "application/json", JSON.writeValueAsString(doc));
            return;
        }
        boolean up = true;
        List<Map<String, Object>> sources = new ArrayList<>();
        for (EngineStatus.SourceStatus s : status.sources()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("source", s.source());
            doc.put("schedule", s.schedule());
            doc.put("lastSuccess", s.lastSuccess());
            doc.put("lastSuccessId", s.lastSuccessId());
            doc.put("nextRun", s.nextRun());
            doc.put("running", s.running());
            List<String> problems = new ArrayList<>();
            if (s.lastFailure() != null && (s.lastSuccess() == null || s.lastFailure().isAfter(s.lastSuccess()))) {
                doc.put("lastFailure", s.lastFailure());
                problems.add("failed since its last success: " + s.lastFailureCode() + ": " + s.lastFailureMessage());
            }
            if (s.objective() != null) {
                doc.put("rpo", s.objective().rpo());
                doc.put("dataAge", s.objective().dataAge());
                if (s.objective().archiveLag() != null) {
                    doc.put("archiveLag", s.objective().archiveLag());
                }
                if (s.objective().rpoExceeded()) {
                    problems.add((s.objective().archiveLag() != null ? "newest backup and archived WAL are"
                            : "newest backup is") + " older than the RPO " + s.objective().rpo());
                }
            }
            doc.put("status", problems.isEmpty() ? "UP" : "DOWN");
            if (!problems.isEmpty()) {
                doc.put("problems", problems);
                up = false;
            }
            sources.add(doc);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("status", up ? "UP" : "DOWN");
        doc.put("at", status.at());
        doc.put("sources", sources);
        List<Map<String, Object>> jobs = new ArrayList<>();
        for (EngineStatus.JobStatus j : status.jobs()) {
            Map<String, Object> jd = new LinkedHashMap<>();
            jd.put("job", j.job());
            jd.put("schedule", j.schedule());
            jd.put("lastRun", j.lastRun());
            jd.put("lastOutcome", j.lastOutcome());
            jd.put("nextRun", j.nextRun());
            jobs.add(jd);
        }
        doc.put("jobs", jobs);
        respond(ex, up ? 200 : 503, "application/json", JSON.writeValueAsString(doc));
    }

    private static void respond(HttpExchange ex, int code, String type, String body) throws IOException {
        try (ex) {
            if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD");
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().set("Content-Type", type);
            if ("HEAD".equals(ex.getRequestMethod())) {
                ex.sendResponseHeaders(code, -1);
                return;
            }
            ex.sendResponseHeaders(code, bytes.length);
            try (OutputStream os = ex.getResponseBody()) {
                os.write(bytes);
            }
        }
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new Main.UsageException("--listen takes HOST:PORT (e.g. 127.0.0.1:9464 or 0.0.0.0:9464), was '" + hostPort + "'");
        }
        String host = hostPort.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new Main.UsageException("--listen port must be a number, was '" + hostPort.substring(colon + 1) + "'");
        }
        if (port < 0 || port > 65535) {
            throw new Main.UsageException("--listen port must be 0-65535, was " + port);
        }
        return new InetSocketAddress(host, port);
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
