package com.eazepay.backup.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "wal-push", description = {"Archives one WAL file into the repository (PostgreSQL's archive_command):",
        "  archive_command = 'eazepay-backup -c /etc/eazepay/backup.yml wal-push %p'",
        "Idempotent: a file already archived with the same bytes succeeds; different bytes fail (exit 1)."})
final class WalPushCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(paramLabel = "PATH", description = "The WAL file (%p), relative to the server's data directory or absolute.")
    Path file;

    @Option(names = "--source", paramLabel = "SOURCE",
            description = "The postgres-base source whose WAL archive receives it (default: the only one configured).")
    String source;

    @Override
    public Integer call() {
        try (Session s = Session.open(main.configFile())) {
            WalCommands.archive(s, source).push(file);
            return Main.OK;
        }
    }
}
