package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.RestoreRequest;
import com.eazepay.backup.RestoreResult;
import com.eazepay.backup.RestoreSetRequest;
import com.eazepay.backup.RestoreSetResult;
import com.eazepay.backup.BackupException;
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
        "A whole backup set (backup without SOURCE) in one call: restore --set SETID --to SOURCE=TARGET --to SOURCE=TARGET ...; "
                + "every backup of the set needs a target.",
        "The source's post-restore checks (row and key counts against the manifest) run unless --no-checks.",
        "Exit 0 on success, 1 if the restore or a check failed, 3 if some backups of a set failed to restore."})
final class RestoreCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "0..1", description = "The source whose backup to restore (omit with --set "
            + "to restore the whole set).")
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

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "Only backups with this label (repeatable; "
            + "with --latest or --before), e.g. release=1.4.2.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--set", paramLabel = "SETID", description = "The backup set (the setId of 'backup' without SOURCE): "
            + "with SOURCE, that source's backup of the set; without, every backup of the set (--to SOURCE=TARGET each).")
    String set;

    @Option(names = "--to", required = true, paramLabel = "TARGET", description = "Where to restore (by source type, see "
            + "above); SOURCE=TARGET, repeated, with --set and no SOURCE.")
    List<String> to = new ArrayList<>();

    @Option(names = "--no-checks", description = "Skip the post-restore checks.")
    boolean noChecks;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (which.id != null && (tag != null || !labels.isEmpty() || set != null)) {
            throw new Main.UsageException("--id names one backup: --tag, --label and --set select among backups, not with --id");
        }
        if (source == null) {
            if (set == null) {
                throw new Main.UsageException("give the SOURCE to restore, or --set SETID to restore a whole backup set");
            }
            if (which.id != null || which.before != null || tag != null || !labels.isEmpty()) {
                throw new Main.UsageException("a whole set is restored by --set alone: --id, --before, --tag and --label "
                        + "go with a SOURCE");
            }
            return restoreSet(out);
        }
        if (to.size() != 1) {
            throw new Main.UsageException("one SOURCE, one --to TARGET (several --to SOURCE=TARGET only with --set and no SOURCE)");
        }
        try (Session s = Session.open(main.configFile())) {
            s.requireSource(source);
            BackupEngine engine = s.engine();
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
            labels.forEach(r::label);
            if (set != null) {
                r.set(set);
            }
            r.into(s.config.restoreTarget(source, to.get(0)));
            if (!noChecks) {
                r.checked();
            }
            s.progress().start("restoring '" + source + "'", r.selected().storedBytes());
            RestoreResult result = r.run();
            s.done();
            if (json) {
                Output.json(out, doc(source, result));
            } else {
                print(out, source, result);
                out.flush();
            }
            return result.checksPassed() ? Main.OK : Main.FAILED;
        }
    }

    private int restoreSet(PrintWriter out) {
        Map<String, String> targets = new LinkedHashMap<>();
        for (String t : to) {
            int eq = t.indexOf('=');
            if (eq <= 0 || eq == t.length() - 1) {
                throw new Main.UsageException("--to " + t + ": with --set and no SOURCE, give --to SOURCE=TARGET for each "
                        + "source of the set");
            }
            if (targets.put(t.substring(0, eq), t.substring(eq + 1)) != null) {
                throw new Main.UsageException("--to " + t.substring(0, eq) + "=... given twice");
            }
        }
        try (Session s = Session.open(main.configFile())) {
            targets.keySet().forEach(s::requireSource);
            RestoreSetRequest r = s.engine().restoreSet(set);
            targets.forEach((name, target) -> r.into(name, s.config.restoreTarget(name, target)));
            if (!noChecks) {
                r.checked();
            }
            s.progress().start("restoring set " + set, -1);
            RestoreSetResult result = r.run();
            s.done();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("setId", result.setId());
                List<Map<String, Object>> restored = new ArrayList<>();
                result.restored().forEach((name, rr) -> restored.add(doc(name, rr)));
                doc.put("restored", restored);
                List<Map<String, Object>> failed = new ArrayList<>();
                result.failed().forEach((name, e) -> failed.add(Map.of("source", name, "errorCode", e.errorCode().name(),
                        "message", e.getMessage())));
                doc.put("failed", failed);
                Output.json(out, doc);
            } else {
                result.restored().forEach((name, rr) -> print(out, name, rr));
                PrintWriter err = spec.commandLine().getErr();
                for (Map.Entry<String, BackupException> e : result.failed().entrySet()) {
                    out.println("FAILED restore of '" + e.getKey() + "' from set " + result.setId());
                    err.println("error: restore of '" + e.getKey() + "' failed: " + e.getValue().errorCode().name() + ": "
                            + e.getValue().getMessage());
                }
                out.flush();
                err.flush();
            }
            boolean checksFailed = result.restored().values().stream().anyMatch(rr -> !rr.checksPassed());
            if (result.failed().isEmpty() && !checksFailed) {
                return Main.OK;
            }
            return result.restored().isEmpty() ? Main.FAILED : Main.PARTIAL;
        }
    }

    private static Map<String, Object> doc(String source, RestoreResult result) {
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
        return doc;
    }

    private static void print(PrintWriter out, String source, RestoreResult result) {
        out.println("restored backup " + result.backupId() + " of '" + source + "' into " + result.location() + " in "
                + Output.duration(result.duration()));
        for (CheckResult c : result.checks()) {
            out.println((c.passed() ? "  ok     " : "  FAILED ") + c.name() + (c.detail().isEmpty() ? "" : ": " + c.detail()));
        }
    }
}
