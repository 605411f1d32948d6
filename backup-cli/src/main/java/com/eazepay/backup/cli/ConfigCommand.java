package com.eazepay.backup.cli;

import com.eazepay.backup.config.BackupConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "config", description = "The configuration file.", subcommands = ConfigCommand.Check.class)
final class ConfigCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    @Command(name = "check", description = {"Validates the file (syntax, settings, types, secrets resolvable, engine "
            + "combination, objectives) and prints the resolved configuration with secrets redacted. Connects to nothing.",
            "Exit 0 if valid, 2 with every problem's line and column otherwise."})
    static final class Check implements Callable<Integer> {
        @ParentCommand
        ConfigCommand parent;
        @Spec
        CommandSpec spec;

        @picocli.CommandLine.Option(names = "--json", description = "Print the result as JSON (the resolved configuration "
                + "as redacted YAML text, sources, warnings).")
        boolean json;

        @Override
        public Integer call() {
            Main main = (Main) spec.parent().parent().userObject();
            PrintWriter out = spec.commandLine().getOut();
            try (Session s = Session.open(main.configFile())) {
                s.engine(); // the engine's own checks (sensitive data unencrypted, retention of unknown sources, ...)
                if (json) {
                    java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
                    doc.put("file", main.configFile().toString());
                    doc.put("valid", true);
                    List<java.util.Map<String, Object>> sources = new ArrayList<>();
                    for (BackupConfig.SourceEntry e : s.config.sources().values()) {
                        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
                        m.put("name", e.name());
                        m.put("type", e.type());
                        m.put("retention", e.retention() == null ? null : e.retention().toString());
                        m.put("schedule", e.schedule());
                        m.put("rpo", e.objectives().rpo());
                        m.put("rto", e.objectives().rto());
                        sources.add(m);
                    }
                    doc.put("sources", sources);
                    doc.put("warnings", warnings(s.config));
                    doc.put("resolved", s.config.redacted());
                    Output.json(out, doc);
                    return Main.OK;
                }
                out.println("# " + main.configFile() + ": valid");
                out.print(s.config.redacted());
                List<String> warnings = warnings(s.config);
                out.println();
                Output.Table t = new Output.Table("SOURCE", "TYPE", "RETENTION", "SCHEDULE (UTC)", "RPO", "RTO");
                s.config.sources().values().forEach(e -> t.row(e.name(), e.type(),
                        e.retention() == null ? "none (never pruned)" : e.retention().toString(),
                        e.schedule() == null ? "-" : e.schedule(),
                        e.objectives().rpo() == null ? "-" : Output.duration(e.objectives().rpo()),
                        e.objectives().rto() == null ? "-" : Output.duration(e.objectives().rto())));
                t.print(out);
                for (String w : warnings) {
                    out.println("warning: " + w);
                }
                out.flush();
                return Main.OK;
            }
        }

        static List<String> warnings(BackupConfig config) {
            List<String> w = new ArrayList<>();
            for (BackupConfig.SourceEntry e : config.sources().values()) {
                if (e.objectives().rpo() != null && e.schedule() == null) {
                    w.add("source '" + e.name() + "' has an RPO of " + Output.duration(e.objectives().rpo())
                            + " but no schedule: only external triggers (CronJob, pipeline) can meet it");
                }
                if (e.retention() == null) {
                    w.add("source '" + e.name() + "' has no retention: prune never removes its backups");
                }
            }
            if (!config.encryption().canDecrypt()) {
                w.add("encryption has no identity (identityFile or identityEnv): backups work, but restore and content "
                        + "verification need the private key");
            }
            return w;
        }
    }
}
