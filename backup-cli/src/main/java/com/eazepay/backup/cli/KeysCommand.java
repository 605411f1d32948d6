package com.eazepay.backup.cli;

import com.eazepay.backup.age.AgeKeys;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "keys", description = "Encryption keys.", subcommands = {KeysCommand.Generate.class, RekeyCommand.class})
final class KeysCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return Main.USAGE;
    }

    @Command(name = "generate", description = {"Generates an age X25519 key pair: writes the private identity to --out "
            + "(created 0600, never overwritten; same format as age-keygen) and prints the public recipient.",
            "Put the recipient under encryption.recipients; keep the identity file in a secret store and an off-site "
                    + "escrow: it is needed to restore, and it is never printed."})
    static final class Generate implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "The identity file to create.")
        Path out;

        @Option(names = "--json", description = "Print the recipient and the identity file's path as JSON (never the identity).")
        boolean json;

        @Override
        public Integer call() {
            if (java.nio.file.Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                throw new Main.UsageException(out + " already exists; refusing to overwrite a key: choose another path "
                        + "or remove it first");
            }
            AgeKeys keys = AgeKeys.generate();
            AgeKeys.writeIdentityFile(out, keys.identity(), Clock.systemUTC());
            PrintWriter w = spec.commandLine().getOut();
            if (json) {
                java.util.Map<String, Object> doc = new java.util.LinkedHashMap<>();
                doc.put("recipient", keys.recipient().encoded());
                doc.put("identityFile", out.toAbsolutePath().toString());
                Output.json(w, doc);
                return Main.OK;
            }
            w.println("# identity (private key) written to " + out.toAbsolutePath());
            w.println("# public key, for encryption.recipients:");
            w.println(keys.recipient().encoded());
            w.flush();
            return Main.OK;
        }
    }
}
