package com.eazepay.backup.files;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.Keys;
import com.eazepay.backup.spi.SourceNames;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.ChildProcess;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Backs up whatever a program writes to its standard output (e.g. {@code kubectl get configmap -o yaml},
 * {@code mysqldump}, a vendor export tool). The program runs from an argv list (no shell), with the
 * configured environment (secrets through {@link Builder#secretEnvironment}, never argv) and working
 * directory. A non-zero exit, a signal, or the timeout fails the backup with the program's stderr in
 * the message. Restores into a {@link StreamTarget}: a file or another program's standard input.
 *
 * <p>The program gets a minimal environment (see {@link ChildProcess}): {@code PATH HOME LANG LC_ALL TZ
 * TMPDIR} from the JVM's environment, what {@link Builder#inheritEnvironment(String...)} names, and what
 * the builder sets. What a successful program prints on stderr is never stored in the manifest (which is
 * not encrypted): it is logged at WARN, its last {@value #STDERR_LOG_LIMIT} characters, with the
 * configured secret values and {@code password=…}-like assignments masked.
 */
public final class CommandSource implements BackupSource {

    /** Characters of a successful program's stderr that are logged. */
    public static final int STDERR_LOG_LIMIT = 2000;

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(CommandSource.class);
    private static final java.util.regex.Pattern ASSIGNMENT = java.util.regex.Pattern.compile(
            "(?i)((?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|credentials?)\\s*[=:]\\s*)(\"[^\"]*\"|'[^']*'|\\S+)");
    private static final java.util.regex.Pattern URL_PASSWORD = java.util.regex.Pattern.compile("(://[^/\\s:@]*:)[^@\\s]+@");
    private static final java.util.regex.Pattern AGE_KEY = java.util.regex.Pattern.compile("(?i)AGE-SECRET-KEY-[0-9A-Z]+");

    private final String name;
    private final ChildProcess process;
    private final String streamName;
    private final String extension;
    private final boolean sensitive;
    private final List<Secret> secrets;

    private CommandSource(Builder b) {
        this.name = b.name;
        ChildProcess p = ChildProcess.of(b.command).environment(b.environment)
                .inheritEnvironment(b.inherited.toArray(String[]::new));
        for (Map.Entry<String, Secret> e : b.secrets.entrySet()) {
            p = p.secretEnvironment(e.getKey(), e.getValue());
        }
        if (b.directory != null) {
            p = p.directory(b.directory);
        }
        if (b.timeout != null) {
            p = p.timeout(b.timeout);
        }
        this.process = p;
        this.streamName = b.streamName;
        this.extension = b.extension;
        this.sensitive = b.sensitive;
        this.secrets = List.copyOf(b.secrets.values());
    }

    /** Starts a command source named {@code name}, running {@code command} (program first). */
    public static Builder builder(String name, List<String> command) {
        return new Builder(name, command);
    }

    /** Starts a command source named {@code name}, running {@code command} (program first). */
    public static Builder builder(String name, String... command) {
        return new Builder(name, List.of(command));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String type() {
        return "command";
    }

    @Override
    public boolean sensitive() {
        return sensitive;
    }

    @Override
    public void backup(BackupContext context) {
        long[] bytes = {0};
        try (OutputStream out = context.newStream(streamName, extension)) {
            String stderr = process.run(stdout -> bytes[0] = stdout.transferTo(out));
            context.fact("command", process.command().get(0));
            context.fact("bytes", bytes[0]);
            if (!stderr.isBlank()) {
                // Never in the manifest: it is stored unencrypted, and tools print connection strings and secrets.
                LOG.warn("command source '{}': {} succeeded with messages on stderr (last {} characters, secrets masked): {}",
                        name, process.command().get(0), STDERR_LOG_LIMIT, redact(stderr));
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "command source '" + name + "': " + e.getMessage(), e);
        } catch (BackupException e) {
            // The child's failure message carries its stderr, where tools print connection strings and the
            // passwords they were given: mask it like the stderr we log. The original is not chained as the
            // cause because its message holds the unmasked text; its stack trace is kept.
            BackupException masked = new BackupException(e.errorCode(), "command source '" + name + "': " + redact(e.getMessage()));
            masked.setStackTrace(e.getStackTrace());
            throw masked;
        }
    }

    /** The last {@value #STDERR_LOG_LIMIT} characters of {@code text}, secret values and assignments masked. */
    String redact(String text) {
        String r = text;
        for (Secret secret : secrets) {
            String value = secret.reveal();
            if (!value.isEmpty()) {
                r = r.replace(value, "***");
            }
        }
        r = AGE_KEY.matcher(r).replaceAll("AGE-SECRET-KEY-***");
        r = ASSIGNMENT.matcher(r).replaceAll("$1***");
        r = URL_PASSWORD.matcher(r).replaceAll("$1***@");
        r = r.strip();
        return r.length() > STDERR_LOG_LIMIT ? "…" + r.substring(r.length() - STDERR_LOG_LIMIT) : r;
    }

    @Override
    public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
        if (!(target instanceof StreamTarget stream)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "command source '" + name
                    + "' restores into a StreamTarget (StreamTarget.file(path) or StreamTarget.command(..)), not " + target.describe());
        }
        try (InputStream in = context.openStream(streamName)) {
            long n = stream.write(in);
            return new RestoreOutcome(stream.describe(), List.of(), Map.of("bytes", n));
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "restoring '" + name + "' into " + stream.describe()
                    + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "CommandSource[" + name + ", " + process + "]";
    }

    /** Builds a {@link CommandSource}. */
    public static final class Builder {
        private final String name;
        private final List<String> command;
        private final Map<String, String> environment = new LinkedHashMap<>();
        private final Map<String, Secret> secrets = new LinkedHashMap<>();
        private final List<String> inherited = new ArrayList<>();
        private Path directory;
        private Duration timeout;
        private String streamName = "output";
        private String extension = "bin";
        private boolean sensitive;

        private Builder(String name, List<String> command) {
            this.name = SourceNames.requireValid(name);
            this.command = new ArrayList<>(Objects.requireNonNull(command, "command"));
            if (this.command.isEmpty()) {
                throw new IllegalArgumentException("command must name a program");
            }
        }

        /** Adds an environment variable. */
        public Builder environment(String key, String value) {
            environment.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Copies these variables from the JVM's environment, where set (e.g. {@code KUBECONFIG}). Default: only
         * {@code PATH HOME LANG LC_ALL TZ TMPDIR} are copied; the rest of the JVM's environment is not passed on.
         */
        public Builder inheritEnvironment(String... names) {
            for (String n : names) {
                inherited.add(Objects.requireNonNull(n, "name"));
            }
            return this;
        }

        /** Adds a secret environment variable; never logged, never in argv. */
        public Builder secretEnvironment(String key, Secret value) {
            secrets.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Working directory. Default: the current one. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** Kills the program and fails the backup after {@code timeout}. Default: none. */
        public Builder timeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, was " + timeout);
            }
            this.timeout = timeout;
            return this;
        }

        /** Stream name and format extension, e.g. {@code ("configmaps", "yaml")}. Default {@code ("output", "bin")}. */
        public Builder stream(String name, String extension) {
            this.streamName = Keys.requireName("stream name", name);
            this.extension = Keys.requireName("stream extension", extension);
            return this;
        }

        /** Marks the output sensitive (secrets, personal data): it is then never stored unencrypted by default. */
        public Builder sensitive() {
            this.sensitive = true;
            return this;
        }

        public CommandSource build() {
            return new CommandSource(this);
        }
    }
}
