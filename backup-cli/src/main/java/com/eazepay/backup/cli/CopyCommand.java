package com.eazepay.backup.cli;

import com.eazepay.backup.CopyReport;
import com.eazepay.backup.CopyRequest;
import com.eazepay.backup.CopySelection;
import com.eazepay.backup.spi.StorageTarget;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "copy", description = {"Copies committed backups as stored (compressed and encrypted: the target never sees "
        + "plaintext) to an off-site target, verifying every object's SHA-256 while copying and writing each manifest last. "
        + "Resumable: what is already there and verified is skipped. The record goes to reports/copy/ in the repository.",
        "Exit 0 if everything selected is on the target, 3 if some backups failed, 1 if all failed."})
final class CopyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Option(names = "--to", required = true, paramLabel = "DIR|URL",
            description = "A directory (a mounted off-site disk), file:/path, s3://bucket/prefix or gs://bucket/prefix "
                    + "(cloud credentials from the environment).")
    String to;

    @Option(names = "--source", paramLabel = "SOURCE", description = "Only this source (repeatable; default: all).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--select", paramLabel = "WHICH", description = "all (default), latest or monthly-latest.")
    String select = "all";

    @Option(names = "--since", paramLabel = "TIME", description = "Only backups started at or after TIME "
            + "(2026-10-01T00:00:00Z, 2026-10-01 or 90d ago).")
    String since;

    @Option(names = "--json", description = "Print the report as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        CopySelection selection = CopySelection.parse(select);
        if (since != null) {
            selection = selection.since(Times.parse(since, "--since", Clock.systemUTC()));
        }
        try (Session s = Session.open(main.configFile())) {
            sources.forEach(s::requireSource);
            StorageTarget target = s.config.storageFromLocation(to);
            try {
                CopyRequest r = s.engine().copy().to(target).select(selection);
                if (!sources.isEmpty()) {
                    r.sources(sources.toArray(String[]::new));
                }
                CopyReport report = r.run();
                if (json) {
                    Map<String, Object> doc = new LinkedHashMap<>();
                    doc.put("target", report.target());
                    doc.put("selection", report.selection());
                    doc.put("complete", report.isComplete());
                    doc.put("bytesCopied", report.bytesCopied());
                    doc.put("record", report.reportKey().orElse(null));
                    doc.put("backups", report.entries());
                    Output.json(out, doc);
                } else {
                    out.print(report.toTable());
                    report.reportKey().ifPresent(k -> out.println("record: " + k));
                    out.flush();
                }
                if (report.isComplete()) {
                    return Main.OK;
                }
                return report.with(CopyReport.Status.FAILED).size() == report.entries().size() ? Main.FAILED : Main.PARTIAL;
            } finally {
                target.close();
            }
        }
    }
}
