package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
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
        "Exit 0 if every backup verified, 1 otherwise."})
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
            names.forEach(s::requireSource);
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
}
