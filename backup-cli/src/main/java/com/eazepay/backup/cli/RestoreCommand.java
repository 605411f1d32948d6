package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.RestoreRequest;
import com.eazepay.backup.RestoreResult;
import picocli.CommandLine.ArgGroup;
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
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "restore", description = {"Restores one backup of SOURCE into the target given by --to; needs only the "
        + "repository, the key and the target (no connection to the original data store for files).",
        "--to by source type: files = an empty or new directory; postgres = a new database name on the configured server; "
                + "mongo = a database name or 'same'; redis = an RDB file or host:port; command = a new file.",
        "The source's post-restore checks (row and key counts against the manifest) run unless --no-checks.",
        "Exit 0 on success, 1 if the restore or a check failed."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", description = "The source whose backup to restore.")
    String source;

    static final class Which {
        @Option(names = "--id", paramLabel = "ID", description = "This backup.")
        String id;
        @Option(names = "--before", paramLabel = "TIME", description = "The newest backup started before TIME "
                + "(2026-11-24T02:00:00Z, 2026-11-24 or 90d ago): a restore from before a breach.")
        String before;
        @Option(names = "--latest", description = "The newest backup (the default).")
        boolean latest;
    }

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Which which = new Which();

    @Option(names = "--tag", paramLabel = "TAG", description = "Only backups with this tag (with --latest or --before).")
    String tag;

    @Option(names = "--to", required = true, paramLabel = "TARGET", description = "Where to restore (by source type, see above).")
    String to;

    @Option(names = "--no-checks", description = "Skip the post-restore checks.")
    boolean noChecks;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            s.requireSource(source);
            BackupEngine engine = s.engine();
            if (which.id != null && tag != null) {
                throw new Main.UsageException("--tag selects among backups: use it with --latest or --before, not --id");
            }
            RestoreRequest r = engine.restore(source);
            if (which.id != null) {
                r.id(which.id);
            } else if (which.before != null) {
                r.before(Times.parse(which.before, "--before", Clock.systemUTC()));
            } else {
                r.latest();
            }
            if (tag != null) {
                r.tagged(tag);
            }
            r.into(s.config.restoreTarget(source, to));
            if (!noChecks) {
                r.verify();
            }
            RestoreResult result = r.run();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("source", source);
                doc.put("backupId", result.backupId());
                doc.put("location", result.location());
                doc.put("checksPassed", result.checksPassed());
                List<Map<String, Object>> checks = new ArrayList<>();
                for (CheckResult c : result.checks()) {
                    checks.add(Map.of("name", c.name(), "passed", c.passed(), "detail", c.detail()));
                }
                doc.put("checks", checks);
                doc.put("durationMillis", result.duration().toMillis());
                Output.json(out, doc);
            } else {
                out.println("restored backup " + result.backupId() + " of '" + source + "' into " + result.location() + " in "
                        + Output.duration(result.duration()));
                for (CheckResult c : result.checks()) {
                    out.println((c.passed() ? "  ok     " : "  FAILED ") + c.name() + (c.detail().isEmpty() ? "" : ": " + c.detail()));
                }
                out.flush();
            }
            return result.checksPassed() ? Main.OK : Main.FAILED;
        }
    }
}
