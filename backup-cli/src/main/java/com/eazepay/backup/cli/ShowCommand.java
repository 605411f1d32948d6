package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "show", description = "Shows one backup's manifest: streams, sizes, SHA-256, codecs, source facts.")
final class ShowCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "ID", description = "The backup id (as list prints it).")
    String id;

    @Option(names = "--source", paramLabel = "SOURCE", description = "The backup's source (default: searched in every source).")
    String source;

    @Option(names = "--json", description = "Print the manifest as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            Manifest m = find(s, engine);
            if (json) {
                Output.json(out, m);
                return Main.OK;
            }
            out.println("backup     " + m.id());
            out.println("source     " + m.source() + " (" + m.sourceType() + ")");
            out.println("trigger    " + m.trigger());
            out.println("tags       " + (m.tags().isEmpty() ? "-" : String.join(",", m.tags())));
            out.println("labels     " + (m.labels().isEmpty() ? "-" : m.labels()));
            if (m.setId() != null) {
                out.println("set        " + m.setId());
            }
            out.println("started    " + Output.time(m.startedAt()));
            out.println("completed  " + Output.time(m.completedAt()));
            out.println("consistent " + Output.time(m.consistentAt()));
            out.println("library    " + m.libraryVersion());
            out.println("codecs     " + (m.compression() == null ? "none" : m.compression().id()) + " + "
                    + (m.encryption() == null ? "none" : m.encryption().id()));
            out.println("stored     " + Output.bytes(m.storedBytes()) + " (plaintext " + Output.bytes(m.plaintextBytes()) + ")");
            Output.Table t = new Output.Table("STREAM", "OBJECT", "FORMAT", "STORED", "PLAINTEXT", "SHA-256");
            for (Manifest.StreamInfo si : m.streams()) {
                t.row(si.name(), si.object(), si.format(), si.storedSize(), si.plaintextSize(), si.sha256());
            }
            out.println();
            t.print(out);
            if (!m.facts().isEmpty()) {
                out.println();
                for (Map.Entry<String, Object> f : m.facts().entrySet()) {
                    out.println("fact " + f.getKey() + " = " + f.getValue());
                }
            }
            out.flush();
            return Main.OK;
        }
    }

    private Manifest find(Session s, BackupEngine engine) {
        List<String> names = new ArrayList<>();
        if (source != null) {
            s.requireSource(source);
            names.add(source);
        } else {
            names.addAll(engine.sourceNames());
        }
        for (String n : names) {
            try {
                return engine.manifest(n, id);
            } catch (BackupException e) {
                if (e.errorCode() != CoreErrorCode.NOT_FOUND) {
                    throw e;
                }
            }
        }
        throw new BackupException(CoreErrorCode.NOT_FOUND, "no committed backup " + id + " of " + names + " in "
                + engine.describeRepository() + ": run list to see the ids");
    }
}
