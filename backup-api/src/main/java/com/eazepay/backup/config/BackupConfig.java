package com.eazepay.backup.config;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Codecs;
import com.eazepay.backup.CopyReport;
import com.eazepay.backup.CopySelection;
import com.eazepay.backup.Schedule;
import com.eazepay.backup.ScheduledJob;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.retention.RetentionPolicy;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;
import com.eazepay.backup.spi.StorageProvider;
import com.eazepay.backup.spi.StorageTarget;

import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The YAML configuration shared by services ({@link com.eazepay.backup.Backup#engineFrom(Path)}) and
 * the command line. One file describes the repository and replicas, encryption, sources by
 * {@code type:} (plug-ins found through {@link java.util.ServiceLoader}), retention per source,
 * schedules and objectives (both handed to the engine's scheduler by {@link #engineBuilder()}):
 *
 * <pre>{@code
 * repository:
 *   type: filesystem            # or s3, gcs (add com.eazepay.backup:backup-storage-s3 / -gcs)
 *   path: /var/backups/eazepay
 * replicas:
 *   - type: s3
 *     bucket: eazepay-backups-dr
 *     region: eu-west-1
 *     retention:                # optional, per source: this replica's own policy (default: the source's)
 *       db: {keepMonthly: 24}
 * encryption:
 *   recipients: [age1...]       # public keys: enough to back up
 *   identityFile: /etc/eazepay/backup-key.txt   # private key: needed to restore and verify contents
 * compression: zstd             # or {type: zstd, level: 3}, gzip, none
 * objectives: {rpo: 24h, rto: 4h}
 * prune: {schedule: "30 3 * * *"}      # scheduled prune (needs retention)
 * verify: {schedule: "0 5 * * 0"}      # scheduled integrity check of every source's newest backup
 * copies:                       # off-site copies, quarterly (run by `copy` without --to and by the scheduler)
 *   - to: s3://eazepay-backups-offsite/production?region=eu-central-1   # or a map like repository:
 *     select: monthly-latest
 *     since: 100d
 *     schedule: "0 4 1 1,4,7,10 *"
 * sources:
 *   db:
 *     type: postgres
 *     host: db.internal
 *     database: payments
 *     user: backup
 *     password: ${PGPASSWORD}   # or ${file:/run/secrets/pg-password}
 *     retention: {keepDaily: 7, keepWeekly: 4, keepMonthly: 12}
 *     schedule: "0 2 * * *"     # Unix cron in UTC, or "every 6h", or PT6H, or
 *                               # {cron: "0 2 * * *", zone: Europe/Paris, jitter: 10m} / {every: 6h, jitter: 5m}
 * }</pre>
 *
 * <p>{@code ${NAME}} is replaced by the environment variable, {@code ${file:/path}} by the file's
 * content (trailing newlines removed); both are kept out of every message and of {@link #redacted()}.
 * Every problem found (bad YAML, unknown setting, unknown {@code type:}, missing value) is reported
 * together in one {@code INVALID_CONFIGURATION} {@link BackupException} whose lines name the file,
 * line and column. Loading builds every component (without connecting to anything).
 *
 * <p>Immutable after loading and thread-safe. Storage targets it creates (S3, GCS clients) live as
 * long as the process unless {@link #close()} closes them.
 */
public final class BackupConfig implements AutoCloseable {

    /** Settings of a source that the engine reads, not the plug-in. */
    private static final List<String> ENGINE_KEYS = List.of("type", "retention", "schedule", "objectives");

    /**
     * Recovery objectives.
     *
     * @param rpo the longest acceptable time since the last good backup, or null
     * @param rto the longest acceptable restore time, or null
     */
    public record Objectives(Duration rpo, Duration rto) {
        static final Objectives NONE = new Objectives(null, null);
    }

    /**
     * One configured source.
     *
     * @param name       source name
     * @param type       {@code type:} value
     * @param source     the built source
     * @param settings   its settings node (for restore targets)
     * @param retention  its retention policy, or null
     * @param schedule   its schedule as written (a map as {@link Schedule#toString()}), or null
     * @param objectives its objectives (the file's default where not given)
     * @param parsedSchedule its schedule as the engine's scheduler runs it, or null
     */
    public record SourceEntry(String name, String type, BackupSource source, ConfigNode settings, RetentionPolicy retention,
                              String schedule, Objectives objectives, Schedule parsedSchedule) {
    }

    /**
     * A configured off-site copy ({@code copies:}), run by the command line's {@code copy} without
     * {@code --to} and, later, by the scheduler.
     *
     * @param target    where to copy
     * @param selection which backups ({@code select:} all, latest, monthly-latest)
     * @param since     only backups started within this duration before the run, or null for no bound
     * @param sources   only these sources (empty: all)
     * @param schedule  cron schedule as written (UTC), or null
     */
    public record CopyEntry(StorageTarget target, com.eazepay.backup.CopySelection selection, Duration since,
                            List<String> sources, String schedule) {
        public CopyEntry {
            sources = List.copyOf(sources);
        }
    }

    private final ConfigNode root;
    private final Providers providers;
    private final StorageTarget repository;
    private final List<StorageTarget> replicas;
    private final Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention;
    private final Encryption encryption;
    private final Compression compression;
    private final boolean allowPlaintext;
    private final Map<String, SourceEntry> sources;
    private final Objectives objectives;
    private final List<CopyEntry> copies;
    private final Schedules schedules;

    /** The parsed schedules: per source, prune, verify, and the one copy job (null where not scheduled). */
    private record Schedules(Map<String, Schedule> sources, Schedule prune, Schedule verify, Schedule copy) {
    }

    private BackupConfig(ConfigNode root, Providers providers, StorageTarget repository, List<StorageTarget> replicas,
                         Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention, Encryption encryption, Compression compression, boolean allowPlaintext,
                         Map<String, SourceEntry> sources, Objectives objectives, List<CopyEntry> copies, Schedules schedules) {
        this.root = root;
        this.providers = providers;
        this.repository = repository;
        this.replicas = List.copyOf(replicas);
        this.replicaRetention = replicaRetention;
        this.encryption = encryption;
        this.compression = compression;
        this.allowPlaintext = allowPlaintext;
        this.sources = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(sources));
        this.objectives = objectives;
        this.copies = List.copyOf(copies);
        this.schedules = schedules;
    }

    /**
     * Loads and checks a configuration file, substituting {@code ${NAME}} from the process environment.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem with its line and column
     */
    public static BackupConfig load(Path file) {
        return load(file, System::getenv);
    }

    /** {@link #load(Path)} with the environment given as a function (tests, embedding). */
    public static BackupConfig load(Path file, Function<String, String> env) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(env, "env");
        return from(ConfigReader.read(file, env), Providers.load(BackupConfig.class.getClassLoader()));
    }

    /** Parses configuration text; {@code origin} names it in messages. */
    public static BackupConfig parse(String yaml, String origin, Function<String, String> env) {
        Objects.requireNonNull(yaml, "yaml");
        return from(new ConfigReader(Objects.requireNonNull(origin, "origin"), Objects.requireNonNull(env, "env")).parse(yaml),
                Providers.load(BackupConfig.class.getClassLoader()));
    }

    /**
     * Checks a configuration given as a tree rather than a YAML file (the Spring Boot starter binds
     * {@code eazepay.backup.*} properties into one with {@link ConfigNode#tree}); the same settings, the same
     * plug-ins and the same errors, located where each value was set.
     *
     * @param root   the tree's root, a map
     * @param loader where to look for source and storage plug-ins
     * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem
     */
    public static BackupConfig fromTree(ConfigNode root, ClassLoader loader) {
        Objects.requireNonNull(root, "root");
        if (root.kind() != ConfigNode.Kind.MAP) {
            throw root.error("the configuration must be a map of settings (repository, encryption, sources, ...)");
        }
        return from(root, Providers.load(Objects.requireNonNull(loader, "loader")));
    }

    private static BackupConfig from(ConfigNode root, Providers providers) {
        List<String> problems = new ArrayList<>();

        StorageTarget repository = null;
        Optional<ConfigNode> repoNode = root.get("repository");
        if (repoNode.isEmpty()) {
            problems.add(root.error("no repository: add 'repository: {type: filesystem, path: /var/backups}' "
                    + "(or type s3 / gcs)").getMessage());
        } else {
            repository = collect(problems, repoNode.get(), () -> providers.storage(repoNode.get()));
        }
        List<StorageTarget> replicas = new ArrayList<>();
        Map<StorageTarget, Map<String, RetentionPolicy>> replicaRetention = new java.util.IdentityHashMap<>();
        Optional<ConfigNode> replicaNodes = root.get("replicas");
        if (replicaNodes.isPresent()) {
            List<ConfigNode> items = collect(problems, () -> replicaNodes.get().items());
            for (ConfigNode n : items == null ? List.<ConfigNode>of() : items) {
                // a replica's own retention per source (e.g. keep more off-site); default: the source's
                Map<String, RetentionPolicy> own = new LinkedHashMap<>();
                if (n.kind() == ConfigNode.Kind.MAP) {
                    ConfigNode r = collect(problems, () -> n.section("retention"));
                    if (r != null) {
                        for (Map.Entry<String, ConfigNode> e : r.entries().entrySet()) {
                            r.get(e.getKey());
                            RetentionPolicy p = collect(problems, e.getValue(), () -> retention(e.getValue()));
                            if (p != null) {
                                own.put(e.getKey(), p);
                            }
                        }
                    }
                }
                StorageTarget t = collect(problems, n, () -> providers.storage(n));
                if (t != null) {
                    replicas.add(t);
                    replicaRetention.put(t, own);
                }
            }
        }

        Encryption encryption = collect(problems, () -> encryption(root));
        Compression compression = collect(problems, () -> compression(root));
        Boolean allowPlaintext = collect(problems, () -> root.bool("allowUnencryptedSensitiveData", false));
        Objectives defaults = Optional.ofNullable(collect(problems, () -> objectives(root.section("objectives"), Objectives.NONE)))
                .orElse(Objectives.NONE);

        Map<String, SourceEntry> sources = new LinkedHashMap<>();
        Optional<ConfigNode> sourcesNode = collect(problems, () -> root.get("sources"));
        if (sourcesNode == null || sourcesNode.isEmpty()) {
            if (sourcesNode != null) {
                problems.add(root.error("no sources: add 'sources: {name: {type: files, paths: [/etc/app]}}'").getMessage());
            }
        } else {
            Map<String, ConfigNode> entries = collect(problems, () -> sourcesNode.get().entries());
            for (Map.Entry<String, ConfigNode> e : entries == null ? Map.<String, ConfigNode>of().entrySet() : entries.entrySet()) {
                sourcesNode.get().get(e.getKey());
                SourceEntry s = collect(problems, () -> source(e.getKey(), e.getValue(), providers, defaults));
                if (s != null) {
                    sources.put(e.getKey(), s);
                }
            }
        }
        List<CopyEntry> copies = new ArrayList<>();
        Optional<ConfigNode> copyNodes = collect(problems, () -> root.get("copies"));
        if (copyNodes != null && copyNodes.isPresent()) {
            List<ConfigNode> items = collect(problems, () -> copyNodes.get().items());
            for (ConfigNode n : items == null ? List.<ConfigNode>of() : items) {
                CopyEntry c = collect(problems, n, () -> copy(n, providers, sources.keySet()));
                if (c != null) {
                    copies.add(c);
                }
            }
        }
        Map<String, Schedule> sourceSchedules = new LinkedHashMap<>();
        sources.values().stream().filter(e -> e.parsedSchedule() != null)
                .forEach(e -> sourceSchedules.put(e.name(), e.parsedSchedule()));
        Schedule prune = collect(problems, () -> jobSchedule(root, "prune"));
        if (prune != null && sources.values().stream().allMatch(s -> s.retention() == null) && !sources.isEmpty()) {
            problems.add(root.require("prune").error("a prune schedule needs a retention policy on at least one source "
                    + "(e.g. retention: {keepDaily: 7})").getMessage());
        }
        Schedule verify = collect(problems, () -> jobSchedule(root, "verify"));
        Schedule copySchedule = null;
        List<ConfigNode> copyItems = copyNodes == null || copyNodes.isEmpty() || copyNodes.get().kind() != ConfigNode.Kind.LIST
                ? List.of() : copyNodes.get().items(); // a copies: that is not a list was reported above
        for (ConfigNode item : copyItems) {
            if (item.kind() != ConfigNode.Kind.MAP || !item.has("schedule")) {
                continue;
            }
            ConfigNode n = item.require("schedule");
            Schedule sc = collect(problems, n, () -> schedule(n));
            if (sc == null) {
                continue;
            }
            if (copySchedule != null && !copySchedule.equals(sc)) {
                problems.add(n.error("the scheduler runs the scheduled copies as one job: give every copy with a "
                        + "schedule the same one (" + copySchedule + "), or run the others with `copy`").getMessage());
            } else {
                copySchedule = sc;
            }
        }
        for (Map.Entry<StorageTarget, Map<String, RetentionPolicy>> e : replicaRetention.entrySet()) {
            for (String name : e.getValue().keySet()) {
                if (!sources.containsKey(name) && sourcesNode != null && sourcesNode.isPresent()) {
                    problems.add("replica " + e.getKey().describe() + ": retention names '" + name + "', which is not a "
                            + "configured source; configured: " + sources.keySet());
                }
            }
        }
        for (ConfigNode unused : root.unused()) {
            problems.add(unused.location() + ": " + unused.path() + ": unknown setting; check the spelling (settings are "
                    + "camelCase, e.g. keepDaily, identityFile)");
        }
        if (!problems.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, problems.size() == 1 ? problems.get(0)
                    : problems.size() + " problems:\n  " + String.join("\n  ", problems));
        }
        return new BackupConfig(root, providers, repository, replicas, replicaRetention, encryption, compression, allowPlaintext,
                sources, defaults, copies, new Schedules(Map.copyOf(sourceSchedules), prune, verify, copySchedule));
    }

    private static Schedule jobSchedule(ConfigNode root, String key) {
        Optional<ConfigNode> job = root.get(key);
        if (job.isEmpty()) {
            return null;
        }
        if (job.get().kind() != ConfigNode.Kind.MAP) {
            throw job.get().error("expected a map such as {schedule: \"0 3 * * *\"}");
        }
        return schedule(job.get().require("schedule"));
    }

    /**
     * A schedule setting: a Unix cron expression (UTC), {@code every 6h}, an ISO duration ({@code PT6H}),
     * or a map {@code {cron: ..., zone: ..., jitter: ...}} / {@code {every: ..., jitter: ...}}.
     */
    static Schedule schedule(ConfigNode n) {
        if (n.kind() == ConfigNode.Kind.MAP) {
            Optional<ConfigNode> cron = n.get("cron");
            Optional<ConfigNode> every = n.get("every");
            if (cron.isPresent() == every.isPresent()) {
                throw n.error("a schedule map has one of 'cron:' (\"0 2 * * *\") or 'every:' (6h), and optionally "
                        + "'jitter:' (10m) and, with cron, 'zone:' (Europe/Paris)");
            }
            Schedule s = cron.isPresent() ? cron(cron.get(), cron.get().asString().trim())
                    : every(every.get(), every.get().asDuration());
            Optional<ConfigNode> zone = n.get("zone");
            if (zone.isPresent()) {
                if (every.isPresent()) {
                    throw zone.get().error("an 'every:' schedule's slots are aligned to the epoch and do not depend on "
                            + "a zone; remove 'zone:' or use 'cron:'");
                }
                try {
                    s = s.inZone(ZoneId.of(zone.get().asString().trim()));
                } catch (DateTimeException e) {
                    throw zone.get().error("unknown time zone '" + zone.get().asString() + "' (e.g. UTC, Europe/Paris)");
                }
            }
            Optional<ConfigNode> jitter = n.get("jitter");
            if (jitter.isPresent()) {
                Duration j = jitter.get().asDuration();
                try {
                    s = s.withJitter(j);
                } catch (IllegalArgumentException e) {
                    throw jitter.get().error(e.getMessage());
                }
            }
            return s;
        }
        String text = n.asString().trim();
        if (text.regionMatches(true, 0, "every ", 0, 6)) {
            return every(n, n.durationIn(text.substring(6).trim()));
        }
        if (text.startsWith("P") || text.startsWith("p")) {
            return every(n, n.asDuration());
        }
        return cron(n, text);
    }

    /** A schedule map as text; an invalid one is reported once, by the pass that parses every schedule. */
    private static String scheduleText(ConfigNode n) {
        try {
            return schedule(n).toString();
        } catch (BackupException e) {
            return "invalid";
        }
    }

    private static Schedule cron(ConfigNode n, String expression) {
        try {
            return Schedule.cron(expression);
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage() + "; or write \"every 6h\"");
        }
    }

    private static Schedule every(ConfigNode n, Duration interval) {
        try {
            return Schedule.every(interval);
        } catch (IllegalArgumentException e) {
            throw n.error(e.getMessage());
        }
    }

    /**
     * The job the scheduler runs for the scheduled copies: each copy with a schedule, its {@code since:}
     * counted back from the slot; fails (the slot is recorded as failed) if any copy is incomplete.
     */
    private ScheduledJob copyJob() {
        List<CopyEntry> scheduled = copies.stream().filter(c -> c.schedule() != null).toList();
        return (engine, slot) -> {
            BackupException first = null;
            for (CopyEntry c : scheduled) {
                CopySelection selection = c.since() == null ? c.selection() : c.selection().since(slot.minus(c.since()));
                com.eazepay.backup.CopyRequest r = engine.copy().to(c.target()).select(selection);
                if (!c.sources().isEmpty()) {
                    r.sources(c.sources().toArray(String[]::new));
                }
                CopyReport report = r.run();
                try {
                    report.orThrow(); // the next copies still run; the slot fails with the first failure
                } catch (BackupException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        };
    }

    /** {@link #collect(List, java.util.function.Supplier)}; on failure, the keys of {@code node} no longer count as unknown. */
    private static <T> T collect(List<String> problems, ConfigNode node, java.util.function.Supplier<T> step) {
        int before = problems.size();
        T result = collect(problems, step);
        if (problems.size() > before) {
            node.markAllUsed();
        }
        return result;
    }

    private static <T> T collect(List<String> problems, java.util.function.Supplier<T> step) {
        try {
            return step.get();
        } catch (BackupException e) {
            problems.add(e.getMessage());
            return null;
        } catch (IllegalArgumentException | IllegalStateException e) {
            // builders reject single bad values this way; the message names the value's setter
            problems.add(e.getMessage());
            return null;
        }
    }

    private static SourceEntry source(String name, ConfigNode node, Providers providers, Objectives defaults) {
        if (node.kind() != ConfigNode.Kind.MAP) {
            throw node.error("a source is a map of settings with a 'type:' (files, command, postgres, mongo, redis)");
        }
        ConfigNode typeNode = node.get("type").orElseThrow(() -> node.error("'type' is required: one of "
                + providers.sourceTypes()));
        String type = typeNode.asString();
        SourceProvider provider;
        try {
            provider = providers.source(typeNode);
        } catch (BackupException e) {
            node.markAllUsed(); // no one knows this type's settings
            throw e;
        }
        List<String> problems = new ArrayList<>();
        RetentionPolicy retention = node.get("retention").map(r -> collect(problems, r, () -> retention(r))).orElse(null);
        Schedule parsed = node.get("schedule").map(n -> collect(problems, n, () -> schedule(n))).orElse(null);
        String schedule = node.get("schedule").map(n -> n.kind() == ConfigNode.Kind.SCALAR ? n.asString()
                : parsed == null ? null : parsed.toString()).orElse(null);
        Objectives objectives = collect(problems, () -> objectives(node.section("objectives"), defaults));
        BackupSource source = collect(problems, () -> provider.fromConfig(name, node));
        if (source == null) {
            // the plug-in stopped at the bad setting: its other keys are not typos; the engine's keys are still checked
            for (String key : node.keys()) {
                if (!ENGINE_KEYS.contains(key)) {
                    node.get(key).ifPresent(ConfigNode::markAllUsed);
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, String.join("\n  ", problems));
        }
        if (!source.name().equals(name)) {
            throw node.error("provider " + provider.getClass().getName() + " built a source named '" + source.name() + "'");
        }
        return new SourceEntry(name, type, source, node, retention, schedule, objectives, parsed);
    }

    private static CopyEntry copy(ConfigNode n, Providers providers, java.util.Set<String> sourceNames) {
        if (n.kind() != ConfigNode.Kind.MAP) {
            throw n.error("a copy is a map: {to: s3://bucket/prefix or {type: ..., ...}, select: monthly-latest, since: 100d, "
                    + "schedule: \"0 4 1 1,4,7,10 *\"}");
        }
        ConfigNode to = n.require("to");
        StorageTarget target = to.kind() == ConfigNode.Kind.MAP ? providers.storage(to) : providers.storageFromLocation(to.asString());
        com.eazepay.backup.CopySelection selection;
        Optional<ConfigNode> select = n.get("select");
        try {
            selection = select.map(x -> com.eazepay.backup.CopySelection.parse(x.asString()))
                    .orElse(com.eazepay.backup.CopySelection.all());
        } catch (BackupException e) {
            throw select.get().error(e.getMessage());
        }
        Duration since = n.optDuration("since").orElse(null);
        List<String> sources = n.strings("sources");
        for (String s : sources) {
            if (!sourceNames.contains(s)) {
                throw n.require("sources").error("'" + s + "' is not a configured source; configured: " + sourceNames);
            }
        }
        // parsed (and its errors reported) with the other schedules; here the text for CopyEntry.schedule()
        String schedule = n.get("schedule").map(x -> x.kind() == ConfigNode.Kind.SCALAR ? x.asString() : scheduleText(x))
                .orElse(null);
        return new CopyEntry(target, selection, since, sources, schedule);
    }

    private static Objectives objectives(ConfigNode n, Objectives defaults) {
        Duration rpo = n.optDuration("rpo").orElse(defaults.rpo());
        Duration rto = n.optDuration("rto").orElse(defaults.rto());
        return new Objectives(rpo, rto);
    }

    static RetentionPolicy retention(ConfigNode n) {
        RetentionPolicy.Builder b = RetentionPolicy.builder();
        n.optInt("keepLast").ifPresent(b::keepLast);
        n.optInt("keepHourly").ifPresent(b::keepHourly);
        n.optInt("keepDaily").ifPresent(b::keepDaily);
        n.optInt("keepWeekly").ifPresent(b::keepWeekly);
        n.optInt("keepMonthly").ifPresent(b::keepMonthly);
        n.optInt("keepYearly").ifPresent(b::keepYearly);
        n.optDuration("keepWithin").ifPresent(b::keepWithin);
        n.optDuration("keepWithinHourly").ifPresent(b::keepWithinHourly);
        n.optDuration("keepWithinDaily").ifPresent(b::keepWithinDaily);
        n.optDuration("keepWithinWeekly").ifPresent(b::keepWithinWeekly);
        n.optDuration("keepWithinMonthly").ifPresent(b::keepWithinMonthly);
        n.optDuration("keepWithinYearly").ifPresent(b::keepWithinYearly);
        List<String> tags = n.strings("keepTagged");
        if (!tags.isEmpty()) {
            b.keepTagged(tags.toArray(String[]::new));
        }
        Optional<ConfigNode> zone = n.get("zone");
        if (zone.isPresent()) {
            try {
                b.zone(ZoneId.of(zone.get().asString()));
            } catch (java.time.DateTimeException e) {
                throw zone.get().error("not a time zone: use an id such as UTC or Europe/Berlin");
            }
        }
        List<ConfigNode> unknown = n.unused();
        if (!unknown.isEmpty()) {
            // before build(): a misspelled rule would otherwise surface as "the policy has no rule"
            throw unknown.get(0).error("unknown setting (retention rules: keepLast, keepHourly, keepDaily, keepWeekly, "
                    + "keepMonthly, keepYearly, keepWithin, keepWithinHourly/Daily/Weekly/Monthly/Yearly, keepTagged, zone)");
        }
        try {
            return b.build();
        } catch (BackupException | IllegalArgumentException | IllegalStateException e) {
            throw n.error(e.getMessage());
        }
    }

    private static Encryption encryption(ConfigNode root) {
        Optional<ConfigNode> node = root.get("encryption");
        if (node.isEmpty()) {
            throw root.error("no encryption: add 'encryption: {recipients: [age1...], identityFile: /path/key.txt}' "
                    + "(keys generate writes a key pair), or 'encryption: {none: true}' to store plaintext on purpose");
        }
        ConfigNode n = node.get();
        if (n.kind() != ConfigNode.Kind.MAP) {
            throw n.error("expected a map: {recipients: [age1...], identityFile: ...}");
        }
        boolean none = n.bool("none", false);
        List<String> recipients = n.strings("recipients");
        Optional<Path> identityFile = n.optPath("identityFile");
        Optional<String> identityEnv = n.optString("identityEnv");
        Optional<Secret> passphrase = n.optSecret("passphrase");
        if (none) {
            if (!recipients.isEmpty() || identityFile.isPresent() || identityEnv.isPresent() || passphrase.isPresent()) {
                throw n.error("'none: true' excludes recipients, identityFile, identityEnv and passphrase");
            }
            return Codecs.noEncryption();
        }
        AgeEncryption age;
        if (passphrase.isPresent()) {
            if (!recipients.isEmpty() || identityFile.isPresent() || identityEnv.isPresent()) {
                throw n.error("passphrase excludes recipients, identityFile and identityEnv");
            }
            return AgeEncryption.withPassphrase(passphrase.get());
        }
        if (recipients.isEmpty() && identityFile.isEmpty() && identityEnv.isEmpty()) {
            throw n.error("give recipients (age1..., to back up) and/or identityFile or identityEnv (the private key, to "
                    + "restore), or none: true");
        }
        try {
            age = recipients.isEmpty() ? AgeEncryption.decryptOnly() : AgeEncryption.toRecipients(recipients.toArray(String[]::new));
        } catch (BackupException e) {
            throw n.require("recipients").error(e.getMessage());
        }
        if (identityFile.isPresent()) {
            age = age.withIdentityFile(identityFile.get());
        }
        if (identityEnv.isPresent()) {
            age = age.withIdentityFromEnv(identityEnv.get());
        }
        return age;
    }

    private static Compression compression(ConfigNode root) {
        Optional<ConfigNode> node = root.get("compression");
        if (node.isEmpty()) {
            return Codecs.zstd();
        }
        ConfigNode n = node.get();
        String type;
        Optional<Integer> level = Optional.empty();
        ConfigNode typeNode = n;
        if (n.kind() == ConfigNode.Kind.MAP) {
            typeNode = n.require("type");
            type = typeNode.asString();
            level = n.optInt("level");
        } else {
            type = n.asString();
        }
        switch (type) {
            case "zstd":
                try {
                    return level.map(Codecs::zstd).orElseGet(Codecs::zstd);
                } catch (IllegalArgumentException | BackupException e) {
                    throw n.error(e.getMessage());
                }
            case "gzip":
                return Codecs.gzip();
            case "none":
                return Codecs.noCompression();
            default:
                throw typeNode.error("unknown compression '" + type + "': use zstd, gzip or none");
        }
    }

    // ------------------------------------------------------------------ use

    /**
     * An engine builder holding everything the file configures, for callers that add listeners or a
     * clock before {@code build()}.
     */
    public BackupEngineBuilder engineBuilder() {
        return engineBuilder(java.util.function.UnaryOperator.identity());
    }

    /**
     * {@link #engineBuilder()} with the primary repository seen through {@code repositoryView} (a
     * delegating wrapper, e.g. one counting bytes for a progress display); the file's repository is
     * still the one {@link #repository()} returns and {@link #close()} closes.
     */
    public BackupEngineBuilder engineBuilder(java.util.function.UnaryOperator<StorageTarget> repositoryView) {
        BackupEngineBuilder b = com.eazepay.backup.Backup.engine()
                .repository(repositoryView.apply(repository))
                .encryption(encryption)
                .compression(compression);
        for (StorageTarget r : replicas) {
            b.replica(r);
            replicaRetention.getOrDefault(r, Map.of()).forEach((source, policy) -> b.replicaRetention(r, source, policy));
        }
        if (allowPlaintext) {
            b.allowUnencryptedSensitiveData();
        }
        for (SourceEntry s : sources.values()) {
            b.source(s.source());
            if (s.retention() != null) {
                b.retention(s.name(), s.retention());
            }
            Schedule sc = schedules.sources().get(s.name());
            if (sc != null) {
                b.schedule(s.name(), sc);
            }
        }
        if (schedules.prune() != null) {
            b.pruneSchedule(schedules.prune());
        }
        if (schedules.verify() != null) {
            b.verifySchedule(schedules.verify());
        }
        if (schedules.copy() != null) {
            b.copySchedule(schedules.copy(), copyJob());
        }
        engineObjectives().ifPresent(b::objectives);
        return b;
    }

    /**
     * The engine the file describes.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} if the engine refuses the combination
     */
    public BackupEngine engine() {
        return engineBuilder().build();
    }

    /** The configured sources by name, in file order. */
    public Map<String, SourceEntry> sources() {
        return sources;
    }

    /**
     * A configured source.
     *
     * @throws BackupException {@code NOT_FOUND} naming the configured sources
     */
    public SourceEntry source(String name) {
        SourceEntry s = sources.get(name);
        if (s == null) {
            throw new BackupException(CoreErrorCode.NOT_FOUND, "no source named '" + name + "' in the configuration; configured: "
                    + sources.keySet());
        }
        return s;
    }

    /**
     * The restore target {@code --to value} means for the source's type (a directory for files, a new
     * database name for PostgreSQL, ...).
     */
    public RestoreTarget restoreTarget(String sourceName, String to) {
        SourceEntry s = source(sourceName);
        return providers.sourceProvider(s.type()).restoreTarget(to, s.settings());
    }

    /** What {@code --to} means for this source, for help and error texts. */
    public String restoreTargetHelp(String sourceName) {
        return providers.sourceProvider(source(sourceName).type()).restoreTargetHelp();
    }

    /**
     * A storage target from a directory path or a URL ({@code s3://bucket/prefix}, {@code gs://bucket},
     * {@code file:/mnt/offsite}), using the providers found.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} naming the artifact to add for an unknown scheme
     */
    public StorageTarget storageFromLocation(String location) {
        return providers.storageFromLocation(location);
    }

    /** The primary repository. */
    public StorageTarget repository() {
        return repository;
    }

    /** The replicas, in file order. */
    public List<StorageTarget> replicas() {
        return replicas;
    }

    /** The configured off-site copies ({@code copies:}), in file order. */
    public List<CopyEntry> copies() {
        return copies;
    }

    /** The parsed schedule of {@code sourceName}'s {@code schedule:}, if it has one. */
    public Optional<Schedule> schedule(String sourceName) {
        return Optional.ofNullable(schedules.sources().get(sourceName));
    }

    /** The file's default objectives and each source's own, as the engine takes them; empty if none is set. */
    public Optional<com.eazepay.backup.Objectives> engineObjectives() {
        com.eazepay.backup.Objectives o = objectives.rpo() != null ? com.eazepay.backup.Objectives.rpo(objectives.rpo())
                : com.eazepay.backup.Objectives.none();
        boolean any = objectives.rpo() != null;
        if (objectives.rto() != null) {
            o = o.rto(objectives.rto());
            any = true;
        }
        for (SourceEntry s : sources.values()) {
            if (s.objectives().rpo() != null && !s.objectives().rpo().equals(objectives.rpo())) {
                o = o.rpo(s.name(), s.objectives().rpo());
                any = true;
            }
            if (s.objectives().rto() != null && !s.objectives().rto().equals(objectives.rto())) {
                o = o.rto(s.name(), s.objectives().rto());
                any = true;
            }
        }
        return any ? Optional.of(o) : Optional.empty();
    }

    /** The file's default objectives. */
    public Objectives objectives() {
        return objectives;
    }

    /** The encryption configured (recipients public; identities never printed). */
    public Encryption encryption() {
        return encryption;
    }

    /**
     * The resolved configuration as YAML, with every value that came from {@code ${...}}, that a
     * plug-in read as a secret, or whose key names a credential replaced by {@code <redacted>}, and
     * user info in URLs masked.
     */
    public String redacted() {
        StringBuilder out = new StringBuilder();
        RedactedYaml.write(root, out);
        return out.toString();
    }

    /** Closes the storage targets this configuration created (their clients and pools). */
    @Override
    public void close() {
        List<StorageTarget> all = new ArrayList<>(replicas);
        all.add(0, repository);
        copies.forEach(c -> all.add(c.target()));
        BackupException failure = null;
        for (StorageTarget t : all) {
            {
                try {
                    t.close();
                } catch (RuntimeException e) {
                    if (failure == null) {
                        failure = new BackupException(CoreErrorCode.STORAGE_FAILED, "closing " + t.describe() + " failed: " + e, e);
                    } else {
                        failure.addSuppressed(e);
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "BackupConfig[repository=" + repository.describe() + ", sources=" + sources.keySet() + "]";
    }
}
