package com.eazepay.backup.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

import java.nio.file.Path;
import java.util.concurrent.Callable;

@Command(name = "wal-fetch", description = {"Restores one archived WAL file, verified (PostgreSQL's restore_command):",
        "  restore_command = 'eazepay-backup -c /etc/eazepay/backup.yml wal-fetch %f %p'",
        "Exit 1 when the file is not archived (PostgreSQL then ends recovery there); exit 126 when the fetch",
        "failed for any other reason (storage unreachable, an archive with no file at all, checksum mismatch,",
        "no key, bad configuration):",
        "PostgreSQL aborts recovery on exit codes above 125 instead of promoting at an earlier point."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:restored", "1:not archived", "126:failed (PostgreSQL aborts recovery)"})
final class WalFetchCommand implements Callable<Integer> {

    @ParentCommand
    Main main;

    @Parameters(index = "0", paramLabel = "NAME", description = "The WAL file name (%f).")
    String name;

    @Parameters(index = "1", paramLabel = "PATH", description = "Where to write it (%p).")
    Path destination;

    @Option(names = "--source", paramLabel = "SOURCE",
            description = "The postgres-base source whose WAL archive to read (default: the only one configured).")
    String source;

    @Override
    public Integer call() {
        try (Session s = Session.open(main.configFile())) {
            // any exception (configuration, storage, checksum, key) becomes WAL_FETCH_FAILED in Main's handler
            return WalCommands.archive(s, source).fetchForRestoreCommand(name, destination) ? Main.OK : Main.FAILED;
        }
    }
}
