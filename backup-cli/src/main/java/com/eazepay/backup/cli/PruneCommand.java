package com.eazepay.backup.cli;

import com.eazepay.backup.PruneReport;
import com.eazepay.backup.PruneRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "prune", description = {"Applies each source's retention policy (the file's retention:) to the repository "
        + "and replicas; pins, legal holds and the newest verified backup are never removed.",
        "Exit 0 when done, 3 if some backups could not be removed (run again)."})
final class PruneCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "Sources to prune (default: all with a retention policy).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--dry-run", description = "Print the plan with reasons; delete nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            sources.forEach(s::requireSource);
            PruneRequest r = s.engine().prune();
            sources.forEach(r::source);
            PruneReport report = dryRun ? r.dryRun() : r.run();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("dryRun", report.dryRun());
                doc.put("complete", report.isComplete());
                doc.put("backupsRemoved", report.backupsRemoved());
                doc.put("bytesFreed", report.bytesFreed());
                List<Map<String, Object>> entries = new ArrayList<>();
                for (PruneReport.Entry e : report.entries()) {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("source", e.source());
                    m.put("target", e.target());
                    m.put("primary", e.primary());
                    List<Map<String, Object>> plan = new ArrayList<>();
                    for (com.eazepay.backup.retention.BackupInfo b : e.plan().kept()) {
                        plan.add(Map.of("id", b.id(), "keep", true, "reasons", e.plan().reasons(b.id())));
                    }
                    for (com.eazepay.backup.retention.BackupInfo b : e.plan().removed()) {
                        plan.add(Map.of("id", b.id(), "keep", false, "reasons", e.plan().reasons(b.id())));
                    }
                    m.put("plan", plan);
                    m.put("backupsRemoved", e.backupsRemoved());
                    m.put("bytesFreed", e.bytesFreed());
                    if (!e.beside().isEmpty()) {
                        m.put("beside", Map.of("kind", e.beside().kind(), "files", e.beside().files(),
                                "objects", e.beside().keys().size(), "bytes", e.beside().bytes()));
                    }
                    entries.add(m);
                }
                doc.put("entries", entries);
                Output.json(out, doc);
            } else {
                out.print(report.toTable());
                out.flush();
            }
            return report.isComplete() ? Main.OK : Main.PARTIAL;
        }
    }
}
