package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
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
import java.util.concurrent.Callable;

@Command(name = "list", aliases = "snapshots", description = "Lists committed backups (read from the repository alone), oldest first.")
final class ListCommand implements Callable<Integer> {

    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "SOURCE", arity = "0..1", description = "Only this source (default: every configured source).")
    String source;

    @Option(names = "--json", description = "Print the manifests as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            List<String> names = new ArrayList<>();
            if (source != null) {
                s.requireSource(source);
                names.add(source);
            } else {
                names.addAll(engine.sourceNames());
            }
            List<Manifest> all = new ArrayList<>();
            for (String n : names) {
                all.addAll(engine.list(n));
            }
            if (json) {
                Output.json(out, all);
                return Main.OK;
            }
            Output.Table t = new Output.Table("SOURCE", "BACKUP", "STARTED", "TRIGGER", "STORED", "TAGS");
            for (Manifest m : all) {
                t.row(m.source(), m.id(), Output.time(m.startedAt()), m.trigger(), Output.bytes(m.storedBytes()),
                        m.tags().isEmpty() ? "-" : String.join(",", m.tags()));
            }
            t.print(out);
            out.println(all.size() + " backup(s) in " + engine.describeRepository());
            out.flush();
            return Main.OK;
        }
    }
}
