package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.Drill;
import com.eazepay.backup.DrillReport;
import com.eazepay.backup.age.AgeEncryption;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "drill", description = {"Runs a disaster-recovery drill and records its report under reports/drill/ (JSON and "
        + "Markdown): corruption (latest backup of each source into a scratch target, checked, dropped; swapped into "
        + "place only with --swap), full-loss (every source in the repository, from a replica if the repository is unreachable), breach "
        + "(restore from before --breach-at, quarantine later backups, optionally --rekey-to new recipients, list the secrets "
        + "to rotate). Objectives: the configuration's, else RPO 1h and RTO 4h.",
        "Exit 0 if every source recovered within its objectives, 1 otherwise."})
final class DrillCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Option(names = "--scenario", required = true, paramLabel = "corruption|full-loss|breach", description = "The scenario.")
    String scenario;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "Only these sources (default: all).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--breach-at", paramLabel = "TIME", description = "breach: when the attacker got in "
            + "(2026-11-24T02:00:00Z, 2026-11-24, or 6h/2d ago).")
    String breachAt;

    @Option(names = "--rekey-to", paramLabel = "age1...", description = "breach: re-encrypt every backup to this recipient (repeatable).")
    List<String> rekeyTo = new ArrayList<>();

    @Option(names = "--swap", description = "corruption: once a source's scratch restore passed its checks, swap it into "
            + "place of the live data (PostgreSQL: the live database kept as <db>_before_<backupId>; files: one directory, "
            + "kept as <dir>.before-<backupId>). A source that cannot swap fails the drill, saying so.")
    boolean swap;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        Drill.Scenario sc = switch (scenario.toLowerCase(Locale.ROOT)) {
            case "corruption" -> Drill.Scenario.CORRUPTION;
            case "full-loss", "full_loss" -> Drill.Scenario.FULL_LOSS;
            case "breach" -> Drill.Scenario.BREACH;
            default -> throw new Main.UsageException("--scenario must be corruption, full-loss or breach, not '" + scenario + "'");
        };
        if (sc != Drill.Scenario.BREACH && (breachAt != null || !rekeyTo.isEmpty())) {
            throw new Main.UsageException("--breach-at and --rekey-to belong to --scenario breach");
        }
        if (swap && sc != Drill.Scenario.CORRUPTION) {
            throw new Main.UsageException("--swap belongs to --scenario corruption");
        }
        if (sc == Drill.Scenario.BREACH && breachAt == null) {
            throw new Main.UsageException("--scenario breach needs --breach-at TIME");
        }
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            Drill drill = engine.drill().scenario(sc);
            if (!sources.isEmpty()) {
                drill.sources(sources.toArray(String[]::new));
            }
            if (swap) {
                drill.swap();
            }
            if (breachAt != null) {
                drill.breachAt(Times.parse(breachAt, "--breach-at", Clock.systemUTC()));
            }
            if (!rekeyTo.isEmpty()) {
                drill.rekeyTo(AgeEncryption.toRecipients(rekeyTo.toArray(String[]::new)));
            }
            DrillReport report = drill.run();
            s.done();
            if (json) {
                Output.json(out, json(report));
            } else {
                Output.Table t = new Output.Table("SOURCE", "BACKUP", "DATA AGE", "TIME TO RECOVER", "RESULT");
                for (DrillReport.SourceResult r : report.sources()) {
                    t.row(r.source(), r.backupId() == null ? "-" : r.backupId(),
                            r.dataAge() == null ? "-" : r.dataAge() + (r.rpoMet() ? "" : " (RPO " + report.rpo() + " MISSED)"),
                            r.timeToRecover() == null ? "-" : r.timeToRecover() + (r.rtoMet() ? "" : " (RTO MISSED)"),
                            r.passed() ? "ok" : "FAILED: " + r.why());
                }
                t.print(out);
                report.sources().stream().filter(r -> r.swap() != null).forEach(r -> out.println("swap: " + r.source() + ": " + r.swap()));
                report.quarantined().forEach(q -> out.println("quarantined: " + q));
                report.rekeyed().forEach(q -> out.println("rekeyed: " + q));
                report.secretsToRotate().forEach(q -> out.println("rotate: " + q));
                out.println("report: " + String.join(", ", report.reportKeys()));
            }
            return report.passed() ? Main.OK : Main.FAILED;
        }
    }

    private static Map<String, Object> json(DrillReport r) {
        Map<String, Object> doc = new LinkedHashMap<>(r.toMap());
        doc.put("reportKeys", r.reportKeys());
        return doc;
    }
}
