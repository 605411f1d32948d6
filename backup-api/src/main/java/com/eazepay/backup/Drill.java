package com.eazepay.backup;

import com.eazepay.backup.internal.engine.DrillOperation;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreTarget;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A disaster-recovery drill ({@code engine.drill().scenario(..).run()}) that measures recovery per source and
 * records a {@link DrillReport}:
 * <ul>
 *   <li>{@link Scenario#CORRUPTION}: the latest backup of each source restored into a new scratch target
 *   ({@code restoretest_<id>} database, temp directory), checked, dropped. Never swaps into place unless told
 *   with {@link #swap()}.</li>
 *   <li>{@link Scenario#FULL_LOSS}: every source in the repository restored from the repository alone: into the
 *   configured source's scratch target, or into the target given with {@link #into} (a host that knows only
 *   the repository). If the repository does not answer, the first replica that does is used.</li>
 *   <li>{@link Scenario#BREACH}: given {@link #breachAt}, the newest backup consistent before it restored and
 *   checked; every later backup quarantined ({@code quarantine/{source}/{id}.json} plus a legal hold: excluded
 *   from selection, never pruned, kept as evidence); with {@link #rekeyTo}, every backup re-encrypted to the new
 *   recipients; the report lists the secrets to rotate.</li>
 * </ul>
 * Objectives default to the engine's ({@code Builder.objectives(..)}, per source where it overrides them), else RPO 1 h
 * and RTO 4 h. Not thread-safe; use once.
 */
public final class Drill {

    /** The plan's drill scenarios. */
    public enum Scenario { CORRUPTION, FULL_LOSS, BREACH }

    private final DrillOperation operation;
    private Scenario scenario;
    /** Used for a source when neither {@link #objectives} nor the engine's objectives give one. */
    static final Duration DEFAULT_RPO = Duration.ofHours(1);
    static final Duration DEFAULT_RTO = Duration.ofHours(4);
    private final Objectives engineObjectives;
    private Duration rpo;
    private Duration rto;
    private final List<String> sources = new ArrayList<>();
    private final Map<String, RestoreTarget> targets = new LinkedHashMap<>();
    private Instant breachAt;
    private Encryption rekeyTo;
    private boolean swap;

    Drill(DrillOperation operation, Objectives engineObjectives) {
        this.operation = operation;
        this.engineObjectives = Objects.requireNonNull(engineObjectives, "engineObjectives");
    }

    public Drill scenario(Scenario scenario) {
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        return this;
    }

    /**
     * Objectives to compare with: oldest acceptable data at recovery (RPO), longest acceptable recovery (RTO), for every
     * source (they replace the engine's). Without this call, each source's come from the engine's objectives.
     */
    public Drill objectives(Duration rpo, Duration rto) {
        this.rpo = Objects.requireNonNull(rpo, "rpo");
        this.rto = Objects.requireNonNull(rto, "rto");
        return this;
    }

    /** Only these sources (default: every configured source; for {@code FULL_LOSS}, every source in the repository). */
    public Drill sources(String... names) {
        sources.addAll(List.of(names));
        return this;
    }

    /** Restores {@code source} into {@code target} instead of the source's scratch target (dropped by you afterwards). */
    public Drill into(String source, RestoreTarget target) {
        targets.put(Objects.requireNonNull(source, "source"), Objects.requireNonNull(target, "target"));
        return this;
    }

    /** {@code BREACH}: when the attacker got in; backups consistent at or after it are quarantined. */
    public Drill breachAt(Instant instant) {
        this.breachAt = Objects.requireNonNull(instant, "instant");
        return this;
    }

    /** {@code BREACH}: re-encrypt every backup to these recipients (the old key is assumed stolen). */
    public Drill rekeyTo(Encryption encryption) {
        this.rekeyTo = Objects.requireNonNull(encryption, "encryption");
        return this;
    }

    /**
     * {@code CORRUPTION}: once a source's scratch restore passed its checks, swap it into place of the live data
     * ({@link com.eazepay.backup.spi.ScratchTarget#swap()}): for PostgreSQL the live database (the source's) is renamed
     * to {@code <name>_before_<backupId>} and kept, with its owner, settings and ACL, and the scratch database takes
     * its name; for a files source backing up one directory, that directory is renamed aside to
     * {@code <dir>.before-<backupId>} and the restored one moved in. A source that cannot swap (Redis, MongoDB, ...)
     * is reported as failed with the reason, never skipped silently; restrict the drill with {@link #sources}.
     * Off by default: a drill never touches live data unless told.
     */
    public Drill swap() {
        this.swap = true;
        return this;
    }

    /**
     * Runs the drill and writes its report. A source that fails to recover is in the report, not thrown: call
     * {@link DrillReport#orThrow()} to fail on it.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} without a scenario, or a {@code BREACH} without {@link #breachAt},
     *                         or {@link #swap()} outside {@code CORRUPTION} or with {@link #into}
     */
    public DrillReport run() {
        if (scenario == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "drill: choose a scenario (scenario(Drill.Scenario.CORRUPTION))");
        }
        if (scenario == Scenario.BREACH && breachAt == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "breach drill: give the breach time with breachAt(..)");
        }
        if (swap && scenario != Scenario.CORRUPTION) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "swap() applies to corruption drills only, not "
                    + scenario);
        }
        if (swap && !targets.isEmpty()) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "swap() swaps the sources' scratch targets; a target"
                    + " given with into(..) swaps by its own settings (PostgresTarget.newDatabase(..).swapInto(..)): drop swap()"
                    + " or into(..)");
        }
        Function<String, Duration> rpoFor = rpo != null ? n -> rpo : n -> engineObjectives.rpoFor(n).orElse(DEFAULT_RPO);
        Function<String, Duration> rtoFor = rto != null ? n -> rto : n -> engineObjectives.rtoFor(n).orElse(DEFAULT_RTO);
        Duration reportRpo = rpo != null ? rpo : engineObjectives.rpo().orElse(DEFAULT_RPO);
        Duration reportRto = rto != null ? rto : engineObjectives.rto().orElse(DEFAULT_RTO);
        return operation.run(scenario, reportRpo, reportRto, rpoFor, rtoFor, sources, targets, breachAt, rekeyTo,
                swap);
    }
}
