package com.eazepay.backup.cli;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;

/**
 * {@code java -jar eazepay-backup.jar COMMAND ...}: the command line of Eazepay Backup, configured by
 * the same YAML file services load with {@code Backup.engineFrom(path)}.
 *
 * <p>Exit codes: {@value #OK} success, {@value #FAILED} backup or verification failure, {@value #USAGE}
 * bad usage or configuration, {@value #PARTIAL} partial success (some sources or backups failed).
 */
@Command(name = "eazepay-backup", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Back up, list, verify, restore, prune and copy Eazepay backups from a YAML configuration.",
        subcommands = {BackupCommand.class, ListCommand.class, ShowCommand.class, RestoreCommand.class, VerifyCommand.class, DrillCommand.class,
                PruneCommand.class, KeysCommand.class, CopyCommand.class, ConfigCommand.class, StatusCommand.class,
                DaemonCommand.class,
                WalPushCommand.class,
                WalFetchCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:backup or verification failure", "2:bad usage or configuration",
                "3:partial success (some sources or backups failed)",
                "126:wal-fetch failed for another reason than 'not archived' (PostgreSQL aborts recovery)"},
        footer = {"", "Configuration: --config FILE, else $EAZEPAY_BACKUP_CONFIG, else ./backup.yml.",
                "Secrets in the file come from ${ENV_VARIABLE} or ${file:/path} and are never printed."})
public final class Main {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;
    public static final int PARTIAL = 3;
    /**
     * {@code wal-fetch}: any failure other than "not archived" (storage unreachable, checksum mismatch, no key,
     * bad configuration or usage). PostgreSQL takes exit codes above 125 as fatal and aborts recovery; any other
     * non-zero code means "not in the archive" and ends recovery there, promoting at an earlier point.
     */
    public static final int WAL_FETCH_FAILED = 126;

    @Option(names = {"-c", "--config"}, scope = CommandLine.ScopeType.INHERIT, paramLabel = "FILE",
            description = "The YAML configuration file (default: $EAZEPAY_BACKUP_CONFIG, else ./backup.yml).")
    Path config;

    Path configFile() {
        if (config != null) {
            return config;
        }
        String env = System.getenv("EAZEPAY_BACKUP_CONFIG");
        return Path.of(env != null && !env.isBlank() ? env : "backup.yml");
    }

    public static void main(String[] args) {
        Logging.configure();
        System.exit(run(args));
    }

    /** Parses and runs; returns the exit code. */
    static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured parser and handlers (also what tests use to check command lines without running them). */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.registerConverter(com.eazepay.backup.Trigger.class, Main::trigger);
        CommandLine.IParameterExceptionHandler parameters = cl.getParameterExceptionHandler();
        cl.setParameterExceptionHandler((e, args) -> {
            int code = parameters.handleParseException(e, args);
            // a restore_command with bad arguments must stop recovery, not look like the end of the archive
            return e.getCommandLine().getCommandSpec().userObject() instanceof WalFetchCommand ? WAL_FETCH_FAILED : code;
        });
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            if (commandLine.getCommandSpec().userObject() instanceof WalFetchCommand) {
                err.println("error: wal-fetch failed (exit " + WAL_FETCH_FAILED + ": PostgreSQL aborts recovery): "
                        + (e instanceof BackupException be ? be.errorCode().name() + ": " : "") + e.getMessage());
                err.flush();
                return WAL_FETCH_FAILED;
            }
            if (e instanceof BackupException be) {
                err.println("error: " + be.errorCode().name() + ": " + be.getMessage());
                err.flush();
                return be.errorCode() == CoreErrorCode.INVALID_CONFIGURATION ? USAGE : FAILED;
            }
            if (e instanceof UsageException) {
                err.println("error: " + e.getMessage());
                err.flush();
                return USAGE;
            }
            err.println("error: unexpected " + e);
            e.printStackTrace(err);
            err.flush();
            return FAILED;
        });
        return cl;
    }

    /** {@code manual}, {@code scheduled}, {@code pre-deploy}: the ids manifests record. */
    static com.eazepay.backup.Trigger trigger(String id) {
        for (com.eazepay.backup.Trigger t : com.eazepay.backup.Trigger.values()) {
            if (t.id().equalsIgnoreCase(id) || t.name().equalsIgnoreCase(id)) {
                return t;
            }
        }
        throw new CommandLine.TypeConversionException("'" + id + "' is not a trigger: use manual, scheduled or pre-deploy");
    }

    /** Bad usage found after parsing (an option combination picocli cannot express). */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The jar's version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"eazepay-backup " + (v == null ? "dev" : v)};
        }
    }
}
