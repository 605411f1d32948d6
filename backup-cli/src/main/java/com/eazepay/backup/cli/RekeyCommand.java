package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.RekeyRequest;
import com.eazepay.backup.age.AgeEncryption;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

@Command(name = "rekey", description = {"Re-encrypts existing backups to new age recipients (key rotation, e.g. after a key "
        + "was exposed), decrypting with the identity of the configuration's encryption. Each rewritten object is read back "
        + "and its SHA-256 checked before the manifest is replaced; a failure leaves that backup as it was.",
        "Afterwards put the new recipients under encryption.recipients and the new identity under identityFile: new "
                + "backups use the file's recipients. Replicas and copies are not rewritten (rekey them with a "
                + "configuration whose repository they are).",
        "Exit 0 if every selected backup was rewritten, 3 if some sources failed, 1 if all failed."})
final class RekeyCommand implements Callable<Integer> {

    /** {@code keys} has no state; the configuration option lives on the root command. */
    @ParentCommand
    KeysCommand keys;
    @Spec
    CommandSpec spec;

    static final class Scope {
        @Parameters(paramLabel = "SOURCE", arity = "1..*", description = "Sources whose backups to rewrite.")
        List<String> sources;
        @Option(names = "--all", required = true, description = "Every source, configured or found in the repository.")
        boolean all;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Scope scope;

    @Option(names = "--to-recipient", paramLabel = "age1...", description = "A new recipient (repeatable).")
    List<String> recipients = new ArrayList<>();

    @Option(names = "--to-recipients-file", paramLabel = "FILE",
            description = "New recipients, one per line (# comments and blank lines ignored), as age -R reads them.")
    Path recipientsFile;

    @Option(names = "--select", paramLabel = "WHICH",
            description = "all (default): every committed backup; latest: only the newest; or a backup id (with one SOURCE).")
    String select = "all";

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Main main = (Main) spec.root().userObject();
        List<String> newRecipients = new ArrayList<>(recipients);
        if (recipientsFile != null) {
            newRecipients.addAll(readRecipients(recipientsFile));
        }
        if (newRecipients.isEmpty()) {
            throw new Main.UsageException("no new recipient: give --to-recipient age1... or --to-recipients-file FILE");
        }
        AgeEncryption to = AgeEncryption.toRecipients(newRecipients.toArray(String[]::new));
        try (Session s = Session.open(main.configFile())) {
            BackupEngine engine = s.engine();
            List<String> names = new ArrayList<>();
            if (scope.all) {
                Set<String> all = new LinkedHashSet<>(engine.sourceNames());
                all.addAll(engine.sourcesInRepository());
                names.addAll(all);
            } else {
                scope.sources.forEach(s::requireSource);
                names.addAll(scope.sources);
            }
            boolean byId = !"all".equals(select) && !"latest".equals(select);
            if (byId && names.size() != 1) {
                throw new Main.UsageException("--select " + select + " names one backup: give exactly one SOURCE");
            }
            List<Map<String, Object>> docs = new ArrayList<>();
            Output.Table t = new Output.Table("SOURCE", "RESULT", "BACKUPS", "DETAIL");
            int ok = 0;
            int failed = 0;
            for (String n : names) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("source", n);
                try {
                    RekeyRequest r = engine.rekey(n).to(to);
                    if ("latest".equals(select)) {
                        var latest = engine.latest(n);
                        if (latest.isEmpty()) {
                            doc.put("rekeyed", List.of());
                            t.row(n, "ok", 0, "no backup");
                            docs.add(doc);
                            ok++;
                            continue;
                        }
                        r.id(latest.get().id());
                    } else if (byId) {
                        r.id(select);
                    }
                    s.progress().start("rekeying '" + n + "'", -1);
                    List<Manifest> rewritten = r.run();
                    List<String> ids = rewritten.stream().map(Manifest::id).toList();
                    doc.put("rekeyed", ids);
                    t.row(n, "ok", ids.size(), ids.isEmpty() ? "no backup" : String.join(" ", ids));
                    ok++;
                } catch (BackupException e) {
                    if (e.errorCode() == com.eazepay.backup.CoreErrorCode.INVALID_CONFIGURATION) {
                        throw e;
                    }
                    doc.put("errorCode", e.errorCode().name());
                    doc.put("message", e.getMessage());
                    t.row(n, "FAILED", "-", e.errorCode().name() + ": " + e.getMessage());
                    failed++;
                }
                docs.add(doc);
            }
            s.done();
            if (json) {
                Map<String, Object> doc = new LinkedHashMap<>();
                doc.put("recipients", newRecipients);
                doc.put("sources", docs);
                Output.json(out, doc);
            } else {
                t.print(out);
                PrintWriter err = spec.commandLine().getErr();
                err.println("note: new backups still use encryption.recipients of " + main.configFile()
                        + ": put the new recipients there and the new identity under identityFile");
                err.flush();
            }
            if (failed == 0) {
                return Main.OK;
            }
            return ok == 0 ? Main.FAILED : Main.PARTIAL;
        }
    }

    private static List<String> readRecipients(Path file) {
        try {
            List<String> r = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                String l = line.strip();
                if (!l.isEmpty() && !l.startsWith("#")) {
                    if (l.startsWith("AGE-SECRET-KEY-")) {
                        throw new Main.UsageException(file + " holds a private identity, not recipients: give the public "
                                + "key(s) (age1...) printed by 'keys generate'");
                    }
                    r.add(l);
                }
            }
            return r;
        } catch (IOException e) {
            throw new Main.UsageException("cannot read --to-recipients-file " + file + ": " + e.getMessage());
        }
    }
}
