package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.RestoreTestReport;
import com.eazepay.backup.RestoreTestRequest;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.VerifyRequest;
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

@Command(name = "verify", description = {"Verifies the integrity of backups: every stream's size and SHA-256, then "
        + "decryption and decompression when the key is configured. Records the result under reports/verify/.",
        "With --restore-test: restores the backup (--latest, default; --random; --id) into the source's scratch target "
                + "(a restoretest_<id> database, a temporary directory), runs its checks and always drops the target.",
        "Exit 0 if every backup verified (or restore test passed), 1 otherwise."})
final class VerifyCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "Sources to verify (default: all).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--id", paramLabel = "ID", description = "This backup (with one SOURCE) instead of the latest.")
    String id;

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "The newest backup with this label (repeatable), "
            + "e.g. release=1.4.2, instead of the latest.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--restore-test", description = "A restore test into a scratch target instead of an integrity check.")
    boolean restoreTest;

    @Option(names = "--random", description = "With --restore-test: a random committed backup instead of the latest.")
    boolean random;

    @Option(names = "--latest", description = "With --restore-test: the latest backup (the default).")
    boolean latest;

    @Option(names = "--json", description = "Print the reports as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            List<String> names = new ArrayList<>(sources.isEmpty() ? engine.sourceNames() : sources);
            if (id != null && names.size() != 1) {
                throw new Main.UsageException("--id needs exactly one SOURCE");
            }
            if (id != null && !labels.isEmpty()) {
                throw new Main.UsageException("--id names one backup: --label selects among backups, not with --id");
            }
            if (!restoreTest && (random || latest)) {
                throw new Main.UsageException("--random and --latest belong to --restore-test");
            }
            if ((random ? 1 : 0) + (latest ? 1 : 0) + (id != null ? 1 : 0) > 1) {
                throw new Main.UsageException("choose one of --latest, --random, --id");
            }
            if (restoreTest && !labels.isEmpty()) {
                throw new Main.UsageException("--label does not apply to --restore-test: use --id");
            }
            names.forEach(s::requireSource);
            if (restoreTest) {
                return restoreTests(s, engine, names, out);
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            Output.Table t = new Output.Table("SOURCE", "BACKUP", "RESULT", "DETAIL");
            boolean allPassed = true;
            for (String n : names) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("source", n);
                try {
                    VerifyRequest r = engine.verify(n);
                    if (id != null) {
                        r.id(id);
                    } else {
                        r.latest();
                        labels.forEach(r::label);
                    }
                    s.progress().start("verifying '" + n + "'", -1);
                    VerificationReport report = r.run();
                    doc.put("backupId", report.manifest().id());
                    doc.put("passed", report.passed());
                    List<Map<String, Object>> streams = new ArrayList<>();
                    StringBuilder detail = new StringBuilder();
                    for (VerificationReport.StreamCheck c : report.streams()) {
                        streams.add(Map.of("name", c.name(), "passed", c.passed(), "plaintextSize", c.plaintextSize(),
                                "detail", c.detail() == null ? "" : c.detail()));
                        if (!c.passed()) {
                            detail.append(c.name()).append(": ").append(c.detail()).append("; ");
                        }
                    }
                    doc.put("streams", streams);
                    doc.put("durationMillis", report.duration().toMillis());
                    allPassed &= report.passed();
                    t.row(n, report.manifest().id(), report.passed() ? "ok" : "FAILED", detail.length() == 0 ? "-" : detail);
                } catch (BackupException e) {
                    allPassed = false;
                    doc.put("passed", false);
                    doc.put("errorCode", e.errorCode().name());
                    doc.put("message", e.getMessage());
                    t.row(n, "-", "FAILED", e.errorCode().name() + ": " + e.getMessage());
                }
                docs.add(doc);
            }
            s.done();
            if (json) {
                Output.json(out, docs);
            } else {
                t.print(out);
            }
            return allPassed ? Main.OK : Main.FAILED;
        }
    }

    private int restoreTests(Session s, BackupEngine engine, List<String> names, PrintWriter out) {
        List<Map<String, Object>> docs = new ArrayList<>();
        Output.Table t = new Output.Table("SOURCE", "BACKUP", "RESULT", "SCRATCH", "DETAIL");
        boolean allPassed = true;
        for (String n : names) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("source", n);
            try {
                RestoreTestRequest r = engine.verify(n).restoreTest();
                if (id != null) {
                    r.id(id);
                } else if (random) {
                    r.random();
                } else {
                    r.latest();
                }
                s.progress().start("restore test of '" + n + "'", -1);
                RestoreTestReport report = r.run();
                doc.put("testId", report.testId());
                doc.put("backupId", report.manifest().id());
                doc.put("passed", report.passed());
                doc.put("scratch", report.scratch());
                doc.put("dropped", report.dropped());
                List<Map<String, Object>> checks = new ArrayList<>();
                StringBuilder detail = new StringBuilder();
                for (CheckResult c : report.checks()) {
                    checks.add(Map.of("name", c.name(), "passed", c.passed(), "detail", c.detail() == null ? "" : c.detail()));
                    if (!c.passed()) {
                        detail.append(c.name()).append(": ").append(c.detail()).append("; ");
                    }
                }
                if (report.failure() != null) {
                    doc.put("failure", report.failure());
                    detail.append(report.failure()).append("; ");
                }
                if (report.cleanupFailure() != null) {
                    doc.put("cleanupFailure", report.cleanupFailure());
                    detail.append("NOT dropped: ").append(report.cleanupFailure());
                }
                doc.put("checks", checks);
                doc.put("durationMillis", report.duration().toMillis());
                Map<String, Object> stages = new java.util.LinkedHashMap<>();
                report.stages().forEach((k, v) -> stages.put(k, v.toMillis()));
                doc.put("stageMillis", stages);
                allPassed &= report.passed();
                t.row(n, report.manifest().id(), report.passed() ? "ok" : "FAILED", report.scratch() + (report.dropped() ? " (dropped)" : ""),
                        detail.length() == 0 ? report.checks().size() + " checks passed" : detail);
            } catch (BackupException e) {
                allPassed = false;
                doc.put("passed", false);
                doc.put("errorCode", e.errorCode().name());
                doc.put("message", e.getMessage());
                t.row(n, "-", "FAILED", "-", e.errorCode().name() + ": " + e.getMessage());
            }
            docs.add(doc);
        }
        s.done();
        if (json) {
            Output.json(out, docs);
        } else {
            t.print(out);
        }
        return allPassed ? Main.OK : Main.FAILED;
    }
}
