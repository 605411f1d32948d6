package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one rule for source names, used by the engine builder for every source and by every source's
 * builder, so a name refused by one is refused by all: 1 to {@value #MAX_LENGTH} characters from
 * {@code a-z}, {@code 0-9}, {@code .}, {@code _}, {@code -}, starting with a letter or digit, and none of
 * the {@linkplain #RESERVED reserved} repository folders. The name is a storage folder, so no slash,
 * upper case or space (object stores and file systems disagree on case).
 *
 * <p>Stateless and thread-safe.
 */
public final class SourceNames {

    /** Longest name accepted: 63 characters (a DNS label; fits every object store key limit with room for ids). */
    public static final int MAX_LENGTH = 63;

    /**
     * Repository folders no source may take: {@code locks}, {@code pins}, {@code holds}, {@code reports},
     * {@code quarantine} (backups set aside after a breach) and {@code wal} (PostgreSQL WAL archives,
     * {@code wal/{source}/…}, which prune of a source must never see).
     */
    public static final Set<String> RESERVED = Set.of("locks", "pins", "holds", "reports", "quarantine", "wal");

    /** The rule in words, for messages. */
    public static final String RULE = "use 1-" + MAX_LENGTH + " characters from a-z, 0-9, '.', '_', '-', starting with "
            + "a letter or digit, and not 'locks', 'pins', 'holds', 'reports', 'quarantine' or 'wal'";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0," + (MAX_LENGTH - 1) + "}");

    private SourceNames() {
    }

    /** Whether {@code name} is a valid source name. */
    public static boolean isValid(String name) {
        return name != null && NAME.matcher(name).matches() && !RESERVED.contains(name);
    }

    /**
     * What is wrong with {@code name}, for a builder that collects every problem, or empty if it is valid.
     */
    public static Optional<String> problem(String name) {
        if (isValid(name)) {
            return Optional.empty();
        }
        if (name != null && RESERVED.contains(name)) {
            return Optional.of("invalid source name '" + name + "': it is reserved for the repository's own folder; " + RULE);
        }
        return Optional.of("invalid source name " + (name == null ? "null" : "'" + name + "'") + ": " + RULE);
    }

    /**
     * Checks a source name.
     *
     * @return {@code name}
     * @throws BackupException {@code INVALID_CONFIGURATION} (not retryable) naming the bad value and the rule
     */
    public static String requireValid(String name) {
        Optional<String> problem = problem(name);
        if (problem.isPresent()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, problem.get());
        }
        return name;
    }
}
