package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.EngineStatus;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.BackupConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status", description = {"Per source, read from the repository: the number of backups, the newest one, "
        + "its age against the RPO, for a source with continuous archiving (PostgreSQL WAL) the archive lag, "
        + "the schedule and retention configured.",
        "Exit 0 if every source with an RPO has a backup (or, with continuous archiving, archived WAL) younger than it, "
        + "1 otherwise."})
final class StatusCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "Print the status as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            Instant now = Instant.now();
            boolean breached = false;
            List<Map<String, Object>> docs = new ArrayList<>();
            Output.Table t = new Output.Table("SOURCE", "TYPE", "BACKUPS", "LATEST", "AGE", "ARCHIVE LAG", "RPO", "STATE");
            Map<String, EngineStatus.ObjectiveStatus> objectives = new HashMap<>();
            engine.objectives().forEach(o -> objectives.put(o.source(), o));
            for (BackupConfig.SourceEntry e : s.config.sources().values()) {
                List<Manifest> all = engine.list(e.name());
                Manifest latest = all.isEmpty() ? null : all.get(all.size() - 1);
                Instant at = latest == null ? null : (latest.completedAt() != null ? latest.completedAt() : latest.startedAt());
                Duration age = at == null ? null : Duration.between(at, now);
                Duration rpo = e.objectives().rpo();
                EngineStatus.ObjectiveStatus objective = objectives.get(e.name());
                // continuous archiving (WAL) makes data recoverable beyond the newest backup: its lag is the data at risk
                Duration lag = objective == null ? null : objective.archiveLag();
                Duration atRisk = lag != null && (age == null || lag.compareTo(age) < 0) ? lag : age;
                String state;
                if (latest == null) {
                    state = rpo == null ? "no backup" : "RPO BREACHED (no backup)";
                } else if (rpo != null && atRisk.compareTo(rpo) > 0) {
                    state = lag != null ? "RPO BREACHED (archive lag)" : "RPO BREACHED";
                } else {
                    state = "ok";
                }
                breached |= state.startsWith("RPO BREACHED");
                t.row(e.name(), e.type(), all.size(), latest == null ? "-" : latest.id(), Output.duration(age),
                        lag == null ? "-" : Output.duration(lag), rpo == null ? "-" : Output.duration(rpo), state);
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("source", e.name());
                doc.put("type", e.type());
                doc.put("backups", all.size());
                doc.put("latest", latest == null ? null : latest.id());
                doc.put("latestAt", at);
                doc.put("ageSeconds", age == null ? null : age.getSeconds());
                doc.put("recoverableUntil", objective == null ? null : objective.recoverableUntil());
                doc.put("archiveLagSeconds", lag == null ? null : lag.getSeconds());
                doc.put("rpoSeconds", rpo == null ? null : rpo.getSeconds());
                doc.put("achievableRpoSeconds", objective == null || objective.achievableRpo() == null ? null
                        : objective.achievableRpo().getSeconds());
                doc.put("schedule", e.schedule());
                doc.put("retention", e.retention() == null ? null : e.retention().toString());
                doc.put("state", state);
                docs.add(doc);
            }
            if (json) {
                Output.json(out, Map.of("repository", engine.describeRepository(), "sources", docs));
            } else {
                out.println("repository " + engine.describeRepository());
                t.print(out);
            }
            return breached ? Main.FAILED : Main.OK;
        }
    }
}
