package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.CopyReport;
import com.eazepay.backup.CopyRequest;
import com.eazepay.backup.CopySelection;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.spi.StorageTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "copy", description = {"Copies committed backups as stored (compressed and encrypted: the target never sees "
        + "plaintext) to an off-site target, verifying every object's SHA-256 while copying and writing each manifest last. "
        + "Resumable: what is already there and verified is skipped. The record goes to reports/copy/ in the repository.",
        "Without --to, runs every copy of the file's copies: section.",
        "Exit 0 if everything selected is on the target, 3 if some backups failed, 1 if all failed."})
final class CopyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Option(names = "--to", paramLabel = "DIR|URL",
            description = "A directory (a mounted off-site disk), file:/path, s3://bucket/prefix[?region=R] or "
                    + "gs://bucket/prefix (cloud credentials and AWS_REGION from the environment). Default: the file's copies:.")
    String to;

    @Option(names = "--source", paramLabel = "SOURCE", description = "Only this source (repeatable; default: all).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--select", paramLabel = "WHICH", description = "all (default), latest or monthly-latest.")
    String select;

    @Option(names = "--since", paramLabel = "TIME", description = "Only backups started at or after TIME "
            + "(2026-10-01T00:00:00Z, 2026-10-01 or 90d ago).")
    String since;

    @Option(names = "--json", description = "Print the report(s) as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            sources.forEach(s::requireSource);
            List<CopyReport> reports = new ArrayList<>();
            if (to != null) {
                CopySelection selection = CopySelection.parse(select == null ? "all" : select);
                if (since != null) {
                    selection = selection.since(Times.parse(since, "--since", Clock.systemUTC()));
                }
                StorageTarget target = s.config.storageFromLocation(to);
                s.progress().start("copying to " + target.describe(), -1);
                try {
                    reports.add(run(s.engine(), target, selection, sources));
                } finally {
                    target.close();
                }
            } else {
                if (!sources.isEmpty() || select != null || since != null) {
                    throw new Main.UsageException("--source, --select and --since go with --to; without --to the file's "
                            + "copies: section says what to copy");
                }
                if (s.config.copies().isEmpty()) {
                    throw new Main.UsageException("nothing to copy: give --to DIR|URL, or add a copies: section to "
                            + main.configFile());
                }
                for (BackupConfig.CopyEntry c : s.config.copies()) {
                    CopySelection selection = c.since() == null ? c.selection()
                            : c.selection().since(Instant.now().minus(c.since()));
                    s.progress().start("copying to " + c.target().describe(), -1);
                    reports.add(run(s.engine(), c.target(), selection, c.sources()));
                }
            }
            s.done();
            if (json) {
                List<Map<String, Object>> docs = new ArrayList<>();
                for (CopyReport report : reports) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("target", report.target());
                    doc.put("selection", report.selection());
                    doc.put("complete", report.isComplete());
                    doc.put("bytesCopied", report.bytesCopied());
                    doc.put("record", report.reportKey().orElse(null));
                    doc.put("backups", report.entries());
                    docs.add(doc);
                }
                Output.json(out, to != null ? docs.get(0) : docs);
            } else {
                for (CopyReport report : reports) {
                    out.print(report.toTable());
                    report.reportKey().ifPresent(k -> out.println("record: " + k));
                }
                out.flush();
            }
            long entries = reports.stream().mapToLong(r -> r.entries().size()).sum();
            long failed = reports.stream().mapToLong(r -> r.with(CopyReport.Status.FAILED).size()).sum();
            if (failed == 0) {
                return Main.OK;
            }
            return failed == entries ? Main.FAILED : Main.PARTIAL;
        }
    }

    private static CopyReport run(BackupEngine engine, StorageTarget target, CopySelection selection, List<String> sources) {
        CopyRequest r = engine.copy().to(target).select(selection);
        if (!sources.isEmpty()) {
            r.sources(sources.toArray(String[]::new));
        }
        return r.run();
    }
}
