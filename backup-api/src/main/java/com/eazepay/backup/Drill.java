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

/**
 * A disaster-recovery drill ({@code engine.drill().scenario(..).run()}) that measures recovery per source and
 * records a {@link DrillReport}:
 * <ul>
 *   <li>{@link Scenario#CORRUPTION}: the latest backup of each source restored into a new scratch target
 *   ({@code restoretest_<id>} database, temp directory), checked, dropped. Never swaps into place.</li>
 *   <li>{@link Scenario#FULL_LOSS}: every source in the repository restored from the repository alone: into the
 *   configured source's scratch target, or into the target given with {@link #into} (a host that knows only
 *   the repository).</li>
 *   <li>{@link Scenario#BREACH}: given {@link #breachAt}, the newest backup consistent before it restored and
 *   checked; every later backup quarantined ({@code quarantine/{source}/{id}.json} plus a legal hold: excluded
 *   from selection, never pruned, kept as evidence); with {@link #rekeyTo}, every backup re-encrypted to the new
 *   recipients; the report lists the secrets to rotate.</li>
 * </ul>
 * Objectives default to RPO 1 h and RTO 4 h. Not thread-safe; use once.
 */
public final class Drill {

    /** The plan's drill scenarios. */
    public enum Scenario { CORRUPTION, FULL_LOSS, BREACH }

    private final DrillOperation operation;
    private Scenario scenario;
    private Duration rpo = Duration.ofHours(1);
    private Duration rto = Duration.ofHours(4);
    private final List<String> sources = new ArrayList<>();
    private final Map<String, RestoreTarget> targets = new LinkedHashMap<>();
    private Instant breachAt;
    private Encryption rekeyTo;

    Drill(DrillOperation operation) {
        this.operation = operation;
    }

    public Drill scenario(Scenario scenario) {
        this.scenario = Objects.requireNonNull(scenario, "scenario");
        return this;
    }

    /** Objectives to compare with: oldest acceptable data at recovery (RPO), longest acceptable recovery (RTO). */
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
     * Runs the drill and writes its report. A source that fails to recover is in the report, not thrown: call
     * {@link DrillReport#orThrow()} to fail on it.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} without a scenario, or a {@code BREACH} without {@link #breachAt}
     */
    public DrillReport run() {
        if (scenario == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "drill: choose a scenario (scenario(Drill.Scenario.CORRUPTION))");
        }
        if (scenario == Scenario.BREACH && breachAt == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "breach drill: give the breach time with breachAt(..)");
        }
        return operation.run(scenario, rpo, rto, sources, targets, breachAt, rekeyTo);
    }
}
