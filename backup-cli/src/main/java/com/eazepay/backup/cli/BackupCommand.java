package com.eazepay.backup.cli;

import com.eazepay.backup.BackupAllRequest;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupRequest;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.BackupSetResult;
import com.eazepay.backup.Trigger;
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

@Command(name = "backup", description = {"Takes a backup of the given sources, or of every source as one set.",
        "Exit 0 if all succeeded, 1 if all failed, 3 if some failed."})
final class BackupCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "0..*", description = "Sources to back up (default: all, as one set).")
    List<String> sources = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "A tag (repeatable), e.g. pre-deploy.")
    List<String> tags = new ArrayList<>();

    @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label (repeatable), e.g. release=1.4.2.")
    Map<String, String> labels = new LinkedHashMap<>();

    @Option(names = "--trigger", paramLabel = "TRIGGER", description = "Why: manual (default), scheduled or pre-deploy; recorded in the manifest.")
    Trigger trigger = Trigger.MANUAL;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            Map<String, BackupResult> ok = new LinkedHashMap<>();
            Map<String, BackupException> failed = new LinkedHashMap<>();
            String setId = null;
            long expected = 0;
            for (String name : sources.isEmpty() ? engine.sourceNames() : sources) {
                var last = s.config.sources().containsKey(name) ? engine.latest(name) : java.util.Optional.<com.eazepay.backup.Manifest>empty();
                expected = last.isPresent() && expected >= 0 ? expected + last.get().storedBytes() : -1;
            }
            s.progress().start("backing up", expected);
            if (sources.isEmpty()) {
                BackupAllRequest r = engine.backupAll().trigger(trigger);
                tags.forEach(r::tag);
                labels.forEach(r::label);
                BackupSetResult set = r.run();
                setId = set.setId();
                ok.putAll(set.succeeded());
                failed.putAll(set.failed());
            } else {
                for (String name : sources) {
                    s.requireSource(name);
                }
                for (String name : sources) {
                    BackupRequest r = engine.backup(name).trigger(trigger);
                    tags.forEach(r::tag);
                    labels.forEach(r::label);
                    try {
                        ok.put(name, r.run());
                    } catch (BackupException e) {
                        failed.put(name, e);
                    }
                }
            }
            s.done();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                if (setId != null) {
                    doc.put("setId", setId);
                }
                List<Map<String, Object>> okList = new ArrayList<>();
                ok.forEach((name, r) -> {
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("source", name);
                    m.put("id", r.id());
                    m.put("storedBytes", r.storedBytes());
                    m.put("plaintextBytes", r.plaintextBytes());
                    m.put("durationMillis", r.duration().toMillis());
                    okList.add(m);
                });
                doc.put("succeeded", okList);
                List<Map<String, Object>> failList = new ArrayList<>();
                failed.forEach((name, e) -> failList.add(Map.of("source", name, "errorCode", e.errorCode().name(),
                        "message", e.getMessage())));
                doc.put("failed", failList);
                Output.json(out, doc);
            } else {
                Output.Table t = new Output.Table("SOURCE", "STATUS", "BACKUP", "STORED", "PLAINTEXT", "DURATION");
                ok.forEach((name, r) -> t.row(name, "ok", r.id(), Output.bytes(r.storedBytes()), Output.bytes(r.plaintextBytes()),
                        Output.duration(r.duration())));
                failed.forEach((name, e) -> t.row(name, "FAILED", "-", "-", "-", "-"));
                t.print(out);
                PrintWriter err = spec.commandLine().getErr();
                failed.forEach((name, e) -> err.println("error: backup of '" + name + "' failed: " + e.errorCode().name() + ": "
                        + e.getMessage()));
                err.flush();
            }
            if (failed.isEmpty()) {
                return Main.OK;
            }
            return ok.isEmpty() ? Main.FAILED : Main.PARTIAL;
        }
    }
}
