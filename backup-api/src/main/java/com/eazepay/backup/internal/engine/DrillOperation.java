package com.eazepay.backup.internal.engine;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupFilter;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.ScratchTarget;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Disaster-recovery drills (see {@link Drill}): per source, choose the backup, restore it into a scratch target
 * (or the given one), check, measure time to recover and data age against the objectives; for breaches, quarantine
 * later backups, rekey, list secrets. Writes the report as JSON and Markdown under {@code reports/drill/}.
 * Thread-safe.
 */
public final class DrillOperation {

    private static final Logger LOG = LoggerFactory.getLogger(DrillOperation.class);
    private static final DateTimeFormatter KEY_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final EngineConfig config;
    private final RepositoryCatalog catalog;
    private final RestoreOperation restores;
    private final RestoreTestOperation restoreTests;
    private final RekeyOperation rekeys;

    public DrillOperation(EngineConfig config, RepositoryCatalog catalog, RestoreOperation restores,
                          RestoreTestOperation restoreTests, RekeyOperation rekeys) {
        this.config = config;
        this.catalog = catalog;
        this.restores = restores;
        this.restoreTests = restoreTests;
        this.rekeys = rekeys;
    }

    /**
     * @param rpo        the report's headline RPO (the drill's or the engine's default)
     * @param rpoFor     the RPO each source is measured against (the drill's, else the engine's objectives for it)
     */
    public DrillReport run(Drill.Scenario scenario, Duration rpo, Duration rto, Function<String, Duration> rpoFor,
                           Function<String, Duration> rtoFor, List<String> only, Map<String, RestoreTarget> targets,
                           Instant breachAt, Encryption rekeyTo, boolean swap) {
        config.checkOpen();
        Instant start = config.clock().instant();
        List<String> names = new ArrayList<>(only);
        StorageTarget from = config.repository();
        if (scenario == Drill.Scenario.FULL_LOSS) {
            from = reachableStore();
            if (names.isEmpty()) {
                names.addAll(catalog.sourcesIn(from));
            }
        } else if (names.isEmpty()) {
            names.addAll(config.sources().keySet());
        }
        LOG.info("{} drill started at {} over {} from {}", scenario, start, names, from.describe());
        List<String> quarantined = new ArrayList<>();
        if (scenario == Drill.Scenario.BREACH) {
            for (String name : names) {
                quarantined.addAll(quarantine(name, breachAt));
            }
        }
        List<DrillReport.SourceResult> results = new ArrayList<>();
        for (String name : names) {
            results.add(recover(scenario, name, start, rpoFor.apply(name), rtoFor.apply(name), targets.get(name), breachAt, from, swap));
        }
        List<String> rekeyed = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        if (scenario == Drill.Scenario.BREACH) {
            if (rekeyTo != null) {
                for (String name : names) {
                    for (Manifest m : rekeys.run(name, null, rekeyTo)) {
                        rekeyed.add(name + "/" + m.id());
                    }
                }
            }
            secrets.add("the age identity (private key) that decrypts this repository's backups"
                    + (rekeyTo != null ? " (backups rekeyed: destroy the old identity)" : " (rekey with rekeyTo(..), then destroy it)"));
            for (StorageTarget t : config.allTargets()) {
                secrets.add("storage credentials of " + t.describe());
            }
            for (String name : names) {
                BackupSource s = config.sources().get(name);
                if (s != null) {
                    s.secretNames().forEach(n -> secrets.add(name + ": " + n));
                }
            }
        }
        String base = RepositoryLayout.DRILL_REPORTS + KEY_TIME.format(start) + "-" + scenario.name().toLowerCase(Locale.ROOT).replace('_', '-');
        List<String> keys = List.of(base + ".json", base + ".md");
        DrillReport report = new DrillReport(scenario, start, rpo, rto, results, quarantined, rekeyed, secrets, keys);
        try {
            put(from, keys.get(0), Json.write(report.toMap()), "application/json"); // the replica, if the repository is gone
            put(from, keys.get(1), markdown(report).getBytes(StandardCharsets.UTF_8), "text/markdown");
        } catch (BackupException e) {
            LOG.warn("writing drill report {} failed ({}): {}", base, e.errorCode().name(), e.getMessage());
        }
        LOG.info("{} drill {}: {}", scenario, report.passed() ? "passed" : "FAILED", results.stream()
                .map(r -> r.source() + " " + (r.passed() ? "ok" : r.why())).toList());
        return report;
    }

    /** Keys of the drill reports in the repository (JSON and Markdown), oldest first. */
    public List<String> reports() {
        return config.repository().listAll(RepositoryLayout.DRILL_REPORTS).stream().map(ObjectInfo::key).sorted().toList();
    }

    private List<String> quarantine(String name, Instant breachAt) {
        List<String> ids = new ArrayList<>();
        for (Manifest m : catalog.list(name, BackupFilter.all())) {
            Instant at = m.consistentAt() != null ? m.consistentAt() : m.startedAt();
            if (at != null && !at.isBefore(breachAt)) {
                catalog.setMarker(name, m.id(), RepositoryLayout.QUARANTINE + "/" + name + "/" + m.id() + ".json", "quarantine", true);
                catalog.setMarker(name, m.id(), RepositoryLayout.holdKey(name, m.id()), "legal hold (breach evidence)", true);
                ids.add(name + "/" + m.id());
            }
        }
        return ids;
    }

    /**
     * Full loss: the repository if it answers a listing, else the first replica that does (the primary site is gone).
     *
     * @throws BackupException the repository's failure if no replica answers either
     */
    private StorageTarget reachableStore() {
        StorageTarget repository = config.repository();
        try {
            repository.listAll(RepositoryLayout.LOCKS + "/");
            return repository;
        } catch (BackupException primaryFailure) {
            for (StorageTarget replica : config.allTargets()) {
                if (replica == repository) {
                    continue;
                }
                try {
                    replica.listAll(RepositoryLayout.LOCKS + "/");
                    LOG.warn("full-loss drill: the repository {} is unreachable ({}: {}); recovering from replica {}",
                            repository.describe(), primaryFailure.errorCode().name(), primaryFailure.getMessage(), replica.describe());
                    return replica;
                } catch (BackupException e) {
                    LOG.warn("full-loss drill: replica {} is unreachable too ({}: {})", replica.describe(), e.errorCode().name(), e.getMessage());
                }
            }
            throw primaryFailure;
        }
    }

    private DrillReport.SourceResult recover(Drill.Scenario scenario, String name, Instant start, Duration rpo, Duration rto,
                                             RestoreTarget given, Instant breachAt, StorageTarget from, boolean swap) {
        Map<String, Duration> stages = new LinkedHashMap<>();
        long s0 = System.nanoTime();
        Manifest m;
        try {
            Selection selection = new Selection(scenario.name().toLowerCase(Locale.ROOT) + " drill of '" + name + "'");
            if (scenario == Drill.Scenario.BREACH) {
                selection.before(breachAt);
            }
            m = catalog.select(from, name, selection);
        } catch (BackupException e) {
            stages.put("select", Duration.ofNanos(System.nanoTime() - s0));
            return new DrillReport.SourceResult(name, null, null, false, null, null, 0, Duration.ZERO, false, false,
                    e.errorCode().name() + ": " + e.getMessage(), stages);
        }
        stages.put("select", Duration.ofNanos(System.nanoTime() - s0));
        Instant point = m.consistentAt() != null ? m.consistentAt() : m.completedAt();
        long t0 = System.nanoTime();
        String into;
        String why;
        boolean recovered;
        String swapped = null;
        try {
            BackupSource source = config.sourceFor(name, m);
            if (given != null) {
                RestoreResult r = restores.restore(source, m, given, true, false, from);
                point = recoveredTo(r.facts(), m, point);
                stages.putAll(r.stages());
                into = r.location();
                recovered = r.checksPassed();
                why = recovered ? "ok" : "checks failed: " + r.checks().stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.detail() + ")").toList();
            } else {
                String testId = restoreTests.newTestId();
                ScratchTarget scratch = source.scratchTarget(testId).orElseThrow(() -> new BackupException(
                        CoreErrorCode.INVALID_CONFIGURATION, "no scratch target for '" + name + "': configure the source or give one with into(\""
                        + name + "\", target)"));
                RestoreTestReport t = restoreTests.test(source, m, testId, scratch, UnaryOperator.identity(), from, swap);
                point = recoveredTo(t.facts(), m, point);
                stages.putAll(t.stages());
                swapped = t.swap() == null ? null : t.swap().describe();
                into = t.swap() != null && t.swap().swapped() ? t.swap().live() + " (swapped in; previous kept as " + t.swap().previous() + ")"
                        : t.scratch() + (t.dropped() ? " (dropped)" : " (NOT dropped: " + t.cleanupFailure() + ")");
                recovered = t.passed();
                why = recovered ? "ok" : t.failure() != null ? t.failure()
                        : t.checks().stream().allMatch(c -> c.passed()) && t.swap() != null ? t.swap().describe()
                        : "checks failed: " + t.checks().stream().filter(c -> !c.passed()).map(c -> c.name() + " (" + c.detail() + ")").toList();
            }
        } catch (BackupException e) {
            into = null;
            recovered = false;
            why = e.errorCode().name() + ": " + e.getMessage();
        }
        Duration restore = Duration.ofNanos(System.nanoTime() - t0);
        if (into != null && from != config.repository()) {
            into += " (read from replica " + from.describe() + ")";
        }
        Duration ttr = recovered ? Duration.between(start, config.clock().instant()) : null;
        Duration dataAge = Duration.between(point, start);
        boolean rpoMet = dataAge.compareTo(rpo) <= 0;
        boolean rtoMet = ttr != null && ttr.compareTo(rto) <= 0;
        if (recovered && !rpoMet) {
            why = "data age " + dataAge + " exceeds the RPO " + rpo;
        } else if (recovered && !rtoMet) {
            why = "time to recover " + ttr + " exceeds the RTO " + rto;
        }
        return new DrillReport.SourceResult(name, m.id(), into, recovered, ttr, dataAge, m.storedBytes(), restore, rpoMet, rtoMet, why, stages,
                swapped);
    }

    /**
     * The point a restore actually recovered to: the later of the backup's consistent point and what the source reports
     * it replayed to ({@link RestoreOutcome#RECOVERED_TO}, continuous archiving), so a drill over a PostgreSQL base
     * backup plus WAL measures the data age from the last replayed commit, not from the base backup: into a given
     * target or into the source's scratch target (the restore test's facts).
     */
    private static Instant recoveredTo(Map<String, Object> facts, Manifest m, Instant consistent) {
        Object v = facts.get(RestoreOutcome.RECOVERED_TO);
        if (v == null) {
            return consistent;
        }
        try {
            Instant replayed = Instant.parse(v.toString());
            return replayed.isAfter(consistent) ? replayed : consistent;
        } catch (java.time.format.DateTimeParseException e) {
            LOG.warn("restore of {}/{} reported {} '{}', not an ISO-8601 instant: data age measured from the backup's"
                    + " consistent point", m.source(), m.id(), RestoreOutcome.RECOVERED_TO, v);
            return consistent;
        }
    }

    /** The report as Markdown: a per-source table with pass/fail against the objectives, then the breach lists. */
    public static String markdown(DrillReport r) {
        StringBuilder b = new StringBuilder();
        b.append("# ").append(r.scenario().name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" drill, ").append(r.startedAt())
                .append(": ").append(r.passed() ? "PASSED" : "FAILED").append("\n\n");
        b.append("Objectives: RPO ").append(r.rpo()).append(", RTO ").append(r.rto()).append(".\n\n");
        b.append("| source | backup | data age (RPO) | time to recover (RTO) | restore + checks | stages (ms) | bytes | result |\n");
        b.append("|---|---|---|---|---|---|---|---|\n");
        for (DrillReport.SourceResult s : r.sources()) {
            b.append("| ").append(s.source()).append(" | ").append(s.backupId() == null ? "-" : s.backupId())
                    .append(" | ").append(s.dataAge() == null ? "-" : s.dataAge() + (s.rpoMet() ? " ok" : " MISSED"))
                    .append(" | ").append(s.timeToRecover() == null ? "-" : s.timeToRecover() + (s.rtoMet() ? " ok" : " MISSED"))
                    .append(" | ").append(s.restore().toMillis()).append(" ms | ")
                    .append(s.stages().isEmpty() ? "-" : String.join(", ", s.stages().entrySet().stream()
                            .map(e -> e.getKey() + " " + e.getValue().toMillis()).toList()))
                    .append(" | ").append(s.bytes())
                    .append(" | ").append(s.passed() ? "pass" : "FAIL: " + s.why().replace("|", "/")).append(" |\n");
        }
        if (r.sources().stream().anyMatch(s -> s.swap() != null)) {
            b.append("\n## Swapped into place\n\n");
            r.sources().stream().filter(s -> s.swap() != null).forEach(s -> b.append("- ").append(s.source()).append(": ")
                    .append(s.swap()).append('\n'));
        }
        if (!r.quarantined().isEmpty()) {
            b.append("\n## Quarantined (taken at or after the breach; kept as evidence, never pruned)\n\n");
            r.quarantined().forEach(q -> b.append("- ").append(q).append('\n'));
        }
        if (!r.rekeyed().isEmpty()) {
            b.append("\n## Rekeyed to the new recipients\n\n");
            r.rekeyed().forEach(q -> b.append("- ").append(q).append('\n'));
        }
        if (!r.secretsToRotate().isEmpty()) {
            b.append("\n## Secrets to rotate\n\n");
            r.secretsToRotate().forEach(q -> b.append("- [ ] ").append(q).append('\n'));
        }
        return b.toString();
    }

    private static void put(StorageTarget target, String key, byte[] bytes, String type) {
        target.put(key, new ByteArrayInputStream(bytes), PutOptions.defaults().withContentLength(bytes.length)
                .withContentType(type));
    }
}
