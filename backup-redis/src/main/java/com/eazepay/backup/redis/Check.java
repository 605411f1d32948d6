package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.redis.internal.RedisEndpoint;
import com.eazepay.backup.redis.internal.RespConnection;
import com.eazepay.backup.spi.Bound;
import com.eazepay.backup.spi.CheckBounds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A post-restore assertion on restored Redis data: a number read from the server must fall in a {@link Bound} (the
 * same words as the PostgreSQL and MongoDB modules' checks: {@code atLeast}, {@code atMost}, {@code exactly},
 * {@code between}). Immutable and thread-safe.
 *
 * <pre>{@code
 * RedisTarget.server("redis.internal", 6379)
 *     .check(Check.keys("user:*").atLeast(1))                 // SCAN MATCH user:* in db 0
 *     .check(Check.keys("session:*").db(2).atMost(100_000))
 *     .check(Check.command("HLEN", "config").exactly(3));     // the reply of HLEN config in db 0
 * }</pre>
 *
 * <ul>
 *   <li>{@link #keys(String)}: the number of keys matching a glob pattern, counted with {@code SCAN 0 MATCH pattern
 *   COUNT 1000} (never {@code KEYS}, which blocks the server). SCAN may return a key twice if the server resizes its
 *   tables during the count, which happens only while keys are written or expire: on a restore test's scratch server
 *   (no clients) the count is exact.</li>
 *   <li>{@link #command(String, String...)}: a read-only command whose reply is the number: an integer reply, a
 *   bulk string holding a decimal integer ({@code GET counter}), or an array, whose size is the number
 *   ({@code SMEMBERS admins}). A command the server does not flag {@code readonly} ({@code COMMAND INFO}) is not sent
 *   and fails the check, so a check can never change the restored data; {@code KEYS} is refused (use {@link #keys}).</li>
 * </ul>
 *
 * <p>Both run in database 0 unless {@link On#db(int)} says otherwise. A check whose command fails (an error reply, a
 * nil or non-number reply, a command that is not read-only) fails with a message saying why; it never fails the
 * restore itself. Add checks with {@link RedisTarget#check(Check...)} (a live restore, or a restore test's scratch
 * target) or {@link RedisSource.Builder#restoreTestCheck(Check...)} (every restore test and drill of the source).
 */
public final class Check {

    private static final int SCAN_COUNT = 1000;

    private final String pattern;
    private final List<String> command;
    private final int db;
    private final Bound bound;

    private Check(String pattern, List<String> command, int db, Bound bound) {
        this.pattern = pattern;
        this.command = command;
        this.db = db;
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /**
     * Starts a check on the number of keys matching {@code pattern} (Redis glob syntax: {@code *}, {@code ?},
     * {@code [abc]}, as {@code SCAN MATCH}); {@code "*"} counts every key of the database.
     */
    public static On keys(String pattern) {
        Objects.requireNonNull(pattern, "pattern");
        if (pattern.isEmpty()) {
            throw new IllegalArgumentException("pattern must not be empty: use \"*\" for every key");
        }
        return new On(pattern, null, 0);
    }

    /**
     * Starts a check on the reply of a read-only command, e.g. {@code command("HLEN", "config")},
     * {@code command("SCARD", "admins")}, {@code command("GET", "schema:version")}.
     *
     * @throws IllegalArgumentException for a blank name, {@code KEYS} (use {@link #keys}), or {@code SELECT}
     *                                  (use {@link On#db(int)})
     */
    public static On command(String name, String... args) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(args, "args");
        if (name.isBlank() || name.strip().contains(" ")) {
            throw new IllegalArgumentException("command name must be one word, e.g. HLEN; give its arguments separately: '" + name + "'");
        }
        String upper = name.strip().toUpperCase(Locale.ROOT);
        if (upper.equals("KEYS")) {
            throw new IllegalArgumentException("KEYS blocks the server while it walks every key: use Check.keys(pattern),"
                    + " which counts with SCAN");
        }
        if (upper.equals("SELECT")) {
            throw new IllegalArgumentException("choose the database with Check.command(..).db(n), not SELECT");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(upper);
        for (String a : args) {
            cmd.add(Objects.requireNonNull(a, "argument"));
        }
        return new On(null, List.copyOf(cmd), 0);
    }

    /** The first half of a check: what is counted, in which database. */
    public static final class On implements CheckBounds<Check> {
        private final String pattern;
        private final List<String> command;
        private final int db;

        private On(String pattern, List<String> command, int db) {
            this.pattern = pattern;
            this.command = command;
            this.db = db;
        }

        /** In database {@code db} (0..). Default 0. */
        public On db(int db) {
            if (db < 0) {
                throw new IllegalArgumentException("db must be 0 or more: " + db);
            }
            return new On(pattern, command, db);
        }

        /** Holds when the number falls in {@code bound} (also {@code atLeast}, {@code atMost}, {@code exactly}, {@code between}). */
        @Override
        public Check is(Bound bound) {
            return new Check(pattern, command, db, bound);
        }
    }

    /** What is checked, e.g. {@code keys user:* in db0 >= 1} or {@code HLEN config in db0 = 3}. */
    public String name() {
        return (pattern != null ? "keys " + pattern : String.join(" ", command)) + " in db" + db + " " + bound.describe();
    }

    /** The range the number must fall in. */
    public Bound bound() {
        return bound;
    }

    /** The database the check runs in. */
    public int db() {
        return db;
    }

    /**
     * Runs {@code checks} on one connection to {@code endpoint}, in order. A failing command fails its check only.
     *
     * @throws BackupException when the server cannot be reached or the connection breaks ({@link RedisEndpoint#unavailable})
     */
    static List<CheckResult> runAll(List<Check> checks, RedisEndpoint endpoint, String where) {
        if (checks.isEmpty()) {
            return List.of();
        }
        List<CheckResult> results = new ArrayList<>();
        try (RespConnection c = endpoint.connect()) {
            for (Check check : checks) {
                results.add(check.run(c, where));
            }
        } catch (IOException e) {
            throw endpoint.unavailable("running the restore checks on", e);
        }
        return results;
    }

    /** Not run: {@code why}. */
    CheckResult notRun(String why) {
        return CheckResult.failed(name(), bound.expectation() + ", not run: " + why);
    }

    private CheckResult run(RespConnection c, String where) throws IOException {
        Object selected = c.call("SELECT", Integer.toString(db));
        if (selected instanceof RespConnection.RespError err) {
            return failed("SELECT " + db + " failed: " + err.message(), where);
        }
        return pattern != null ? countKeys(c, where) : runCommand(c, where);
    }

    private CheckResult countKeys(RespConnection c, String where) throws IOException {
        long count = 0;
        String cursor = "0";
        do {
            Object reply = c.call("SCAN", cursor, "MATCH", pattern, "COUNT", Integer.toString(SCAN_COUNT));
            if (reply instanceof RespConnection.RespError err) {
                return failed("SCAN failed: " + err.message(), where);
            }
            List<Object> page = RedisEndpoint.list(reply);
            cursor = new String((byte[]) page.get(0), StandardCharsets.US_ASCII);
            count += RedisEndpoint.list(page.get(1)).size();
        } while (!"0".equals(cursor));
        return result(count, where);
    }

    private CheckResult runCommand(RespConnection c, String where) throws IOException {
        String refused = notReadOnly(c);
        if (refused != null) {
            return failed(refused, where);
        }
        Object reply = c.call(command.toArray());
        if (reply instanceof RespConnection.RespError err) {
            return failed("the command failed: " + err.message(), where);
        }
        if (reply instanceof Long n) {
            return result(n, where);
        }
        if (reply instanceof List<?> l) {
            return result(l.size(), where);
        }
        if (reply == null) {
            return failed("the reply was nil (no such key?)", where);
        }
        String text = reply instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : reply.toString();
        try {
            return result(Long.parseLong(text.strip()), where);
        } catch (NumberFormatException e) {
            return failed("the reply is not a number: '" + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "'", where);
        }
    }

    /**
     * Null when {@code COMMAND INFO} flags the command (or, for a container such as {@code OBJECT}, its subcommand)
     * {@code readonly}; else why the command is not sent.
     */
    private String notReadOnly(RespConnection c) throws IOException {
        String name = command.get(0).toLowerCase(Locale.ROOT);
        List<String> flags = flags(c.call("COMMAND", "INFO", name));
        if (flags == null) {
            return "the server does not know the command " + command.get(0) + " (COMMAND INFO), or refused COMMAND INFO:"
                    + " a check runs only commands the server flags readonly";
        }
        if (flags.isEmpty() && command.size() > 1) {
            // a container command (Redis 7): its subcommands carry the flags
            List<String> sub = flags(c.call("COMMAND", "INFO", name + "|" + command.get(1).toLowerCase(Locale.ROOT)));
            flags = sub == null ? flags : sub;
        }
        return flags.contains("readonly") ? null : command.get(0) + (flags.isEmpty() ? "" : " (" + String.join(", ", flags) + ")")
                + " is not a read-only command: a check never sends a command that could change the restored data";
    }

    /** The flags of a {@code COMMAND INFO} reply for one command, or null for an unknown command or an error. */
    private static List<String> flags(Object reply) {
        if (!(reply instanceof List<?> outer) || outer.isEmpty() || !(outer.get(0) instanceof List<?> info) || info.size() < 3
                || !(info.get(2) instanceof List<?> flags)) {
            return null;
        }
        List<String> out = new ArrayList<>();
        for (Object f : flags) {
            out.add(f instanceof byte[] b ? new String(b, StandardCharsets.US_ASCII) : String.valueOf(f));
        }
        return out;
    }

    private CheckResult result(long value, String where) {
        String detail = bound.expectation() + ", found " + value + " " + where;
        return bound.test(value) ? CheckResult.passed(name(), detail) : CheckResult.failed(name(), detail);
    }

    private CheckResult failed(String why, String where) {
        return CheckResult.failed(name(), bound.expectation() + ", " + why + " (" + where + ")");
    }

    @Override
    public String toString() {
        return "Check[" + name() + "]";
    }
}
