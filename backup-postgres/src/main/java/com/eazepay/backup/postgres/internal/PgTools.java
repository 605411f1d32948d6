package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.ChildProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds PostgreSQL client tools ({@code pg_dump}, {@code pg_restore}, {@code psql}) and their versions.
 *
 * <p>Candidates, in order: the configured path (then only it), every {@code PATH} entry, and
 * {@code /usr/lib/postgresql/*}{@code /bin} (Debian/Ubuntu's side-by-side majors; Debian's {@code pg_wrapper}
 * links are skipped when those exist). Of the candidates
 * whose major version is at least the required one, the closest major wins (a newer major dumps an
 * older server, but its archives may not load into older {@code pg_restore}s).
 */
public final class PgTools {

    private static final Logger LOG = LoggerFactory.getLogger(PgTools.class);
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(30);
    /** Binaries whose version is remembered before the cache starts over (a few per installed major). */
    private static final int VERSIONS_KEPT = 64;
    private static final Map<BinaryId, Tool> VERSIONS = new ConcurrentHashMap<>();

    private PgTools() {
    }

    /**
     * A tool binary and its version.
     *
     * @param path    the executable
     * @param version the version text, e.g. {@code 15.18}
     * @param major   the major version, e.g. {@code 15}
     */
    public record Tool(Path path, String version, int major) {
    }

    /**
     * Chooses {@code name} with major version &ge; {@code minMajor}.
     *
     * @param name       {@code pg_dump}, {@code pg_restore} or {@code psql}
     * @param configured the configured path, or null to search
     * @param minMajor   the lowest acceptable major version
     * @param why        what requires the version, for messages ({@code server postgresql://h:5432/db runs 16.2})
     * @throws BackupException {@code INVALID_CONFIGURATION} when no such binary exists (naming the
     *                         package to install); {@code VERSION_MISMATCH} when all are too old
     */
    public static Tool find(String name, Path configured, int minMajor, String why) {
        List<Path> candidates = candidates(name, configured);
        String pkg = "postgresql-client-" + Math.max(minMajor, 10);
        if (candidates.isEmpty()) {
            String where = configured != null ? "at " + configured
                    : "on PATH or in /usr/lib/postgresql/*/bin";
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, name + " not found " + where
                    + ": install the PostgreSQL client tools (apt-get install " + pkg + ")"
                    + (configured != null ? " or fix the configured path" : " or configure its path"));
        }
        List<Tool> tools = new ArrayList<>();
        for (Path p : candidates) {
            try {
                tools.add(cachedVersion(p));
            } catch (BackupException e) {
                LOG.warn("ignoring {}: {}", p, e.getMessage());
            }
        }
        Optional<Tool> best = tools.stream().filter(t -> t.major() >= minMajor)
                .min(Comparator.comparingInt(Tool::major));
        if (best.isPresent()) {
            LOG.debug("using {} {} ({})", name, best.get().version(), best.get().path());
            return best.get();
        }
        if (tools.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, name + " at " + candidates
                    + " does not run or report a version: install the PostgreSQL client tools (apt-get install " + pkg + ")");
        }
        Tool newest = tools.stream().max(Comparator.comparingInt(Tool::major)).orElseThrow();
        throw new BackupException(CoreErrorCode.VERSION_MISMATCH, why + ", but the newest " + name + " found is "
                + newest.version() + " (" + newest.path() + "); " + name + " must be at least major version " + minMajor
                + ": install " + pkg + " (apt-get install " + pkg + ")"
                + (configured != null ? " and point the configured path at it" : ""));
    }

    /**
     * {@link #version(Path)}, remembered per binary while its size and modification time stay the same: each
     * {@code --version} run is a process start (10–150 ms on a busy machine), and a backup looks up two tools.
     * A replaced binary (a package upgrade) differs in size or time and is asked again.
     */
    static Tool cachedVersion(Path path) {
        BinaryId id;
        try {
            Path real = path.toRealPath();
            id = new BinaryId(path, real, Files.size(real), Files.getLastModifiedTime(real).toMillis());
        } catch (IOException e) {
            return version(path);
        }
        Tool known = VERSIONS.get(id);
        if (known != null) {
            return known;
        }
        Tool tool = version(path);
        if (VERSIONS.size() >= VERSIONS_KEPT) {
            VERSIONS.clear();
        }
        VERSIONS.put(id, tool);
        return tool;
    }

    /** A binary as it is on disk now. */
    private record BinaryId(Path path, Path real, long size, long modifiedMillis) {
    }

    /** Runs {@code path --version} and parses it. */
    public static Tool version(Path path) {
        StringBuilder text = new StringBuilder();
        List<String> argv = List.of(path.toString(), "--version");
        ChildProcess.of(argv).timeout(VERSION_TIMEOUT).run(stdout -> {
            text.append(new String(stdout.readNBytes(64 * 1024), java.nio.charset.StandardCharsets.UTF_8));
            stdout.transferTo(java.io.OutputStream.nullOutputStream());
        });
        String out = text.toString();
        Matcher m = VERSION.matcher(out);
        if (!m.find()) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, path + " --version printed no PostgreSQL version: "
                    + out.trim());
        }
        int major = Integer.parseInt(m.group(1));
        String version = m.group(1) + (m.group(2) != null ? "." + m.group(2) : "") + (m.group(3) != null ? "." + m.group(3) : "");
        return new Tool(path, version, major);
    }

    /** Parses the major version of a {@code server_version_num} such as {@code 150004} or {@code 90624}. */
    public static int serverMajor(int serverVersionNum) {
        return serverVersionNum >= 100000 ? serverVersionNum / 10000 : serverVersionNum / 100;
    }

    private static List<Path> candidates(String name, Path configured) {
        return candidates(name, configured, System.getenv("PATH"), Path.of("/usr/lib/postgresql"));
    }

    /**
     * The candidates for {@code name}: {@code configured} alone if set, else those on {@code pathEnv} and in
     * {@code debian}{@code /*}{@code /bin}. Debian's {@code /usr/bin/pg_dump} (and the other client tools) is a
     * link to {@code pg_wrapper}, a Perl launcher that only picks and runs one of the binaries under
     * {@code /usr/lib/postgresql}: when any of those is a candidate the wrapper is dropped, so it is neither
     * probed for its version nor run (each start costs a Perl interpreter, 0.1–0.7 s of wall time on a busy
     * machine, several times per backup), and the choice among real binaries is ours, as before.
     */
    static List<Path> candidates(String name, Path configured, String pathEnv, Path debian) {
        if (configured != null) {
            return Files.isRegularFile(configured) && Files.isExecutable(configured) ? List.of(configured) : List.of();
        }
        Set<Path> found = new LinkedHashSet<>();
        if (pathEnv != null) {
            for (String dir : pathEnv.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    addIfExecutable(found, Path.of(dir, name));
                }
            }
        }
        if (Files.isDirectory(debian)) {
            try (DirectoryStream<Path> majors = Files.newDirectoryStream(debian)) {
                for (Path major : majors) {
                    addIfExecutable(found, major.resolve("bin").resolve(name));
                }
            } catch (IOException e) {
                LOG.debug("cannot list {}: {}", debian, e.toString());
            }
        }
        List<Path> real = found.stream().filter(p -> !isDebianWrapper(p)).toList();
        return real.isEmpty() ? new ArrayList<>(found) : new ArrayList<>(real);
    }

    /** Whether {@code p} is a link to Debian's {@code pg_wrapper}. */
    private static boolean isDebianWrapper(Path p) {
        try {
            return Files.isSymbolicLink(p) && p.toRealPath().getFileName().toString().equals("pg_wrapper");
        } catch (IOException e) {
            return false;
        }
    }

    private static void addIfExecutable(Set<Path> found, Path p) {
        // not toRealPath(): Debian's /usr/bin/pg_dump is a link to pg_wrapper, which needs its own name
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
            found.add(p);
        }
    }
}
