package com.eazepay.backup;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Recovery objectives: the recovery point objective (RPO, how much data may be lost) and recovery
 * time objective (RTO, how long a restore may take), for every source, with optional per-source
 * overrides. Immutable: each method returns a new instance.
 *
 * <pre>{@code
 * Objectives.rpo(Duration.ofHours(1)).rto(Duration.ofHours(4)).rpo("config", Duration.ofDays(1))
 * }</pre>
 *
 * The engine reports each source whose schedule cannot meet its RPO (at build and in
 * {@link BackupEngine#status()}): a WARN, a {@link BackupEvent.ObjectiveBreached} event and the
 * objective gauges of backup-micrometer. Not an error.
 */
public final class Objectives {

    private final Duration rpo;
    private final Duration rto;
    private final Map<String, Duration> rpoBySource;
    private final Map<String, Duration> rtoBySource;

    private Objectives(Duration rpo, Duration rto, Map<String, Duration> rpoBySource, Map<String, Duration> rtoBySource) {
        this.rpo = rpo;
        this.rto = rto;
        this.rpoBySource = Map.copyOf(rpoBySource);
        this.rtoBySource = Map.copyOf(rtoBySource);
    }

    /** Objectives with a recovery point objective for every source. */
    public static Objectives rpo(Duration rpo) {
        return new Objectives(positive(rpo, "rpo"), null, Map.of(), Map.of());
    }

    /** Objectives without a default RPO (per-source objectives only). */
    public static Objectives none() {
        return new Objectives(null, null, Map.of(), Map.of());
    }

    /** The recovery time objective of every source. */
    public Objectives rto(Duration rto) {
        return new Objectives(rpo, positive(rto, "rto"), rpoBySource, rtoBySource);
    }

    /** The RPO of one source, overriding the default. */
    public Objectives rpo(String source, Duration rpo) {
        Map<String, Duration> m = new LinkedHashMap<>(rpoBySource);
        m.put(Objects.requireNonNull(source, "source"), positive(rpo, "rpo"));
        return new Objectives(this.rpo, rto, m, rtoBySource);
    }

    /** The RTO of one source, overriding the default. */
    public Objectives rto(String source, Duration rto) {
        Map<String, Duration> m = new LinkedHashMap<>(rtoBySource);
        m.put(Objects.requireNonNull(source, "source"), positive(rto, "rto"));
        return new Objectives(rpo, this.rto, rpoBySource, m);
    }

    /** The RPO of {@code source}: its override, else the default, if any. */
    public Optional<Duration> rpoFor(String source) {
        return Optional.ofNullable(rpoBySource.getOrDefault(source, rpo));
    }

    /** The RTO of {@code source}: its override, else the default, if any. */
    public Optional<Duration> rtoFor(String source) {
        return Optional.ofNullable(rtoBySource.getOrDefault(source, rto));
    }

    /** Sources named by overrides (build() checks they are configured). */
    /** The RPO of sources without their own, if any. */
    public Optional<Duration> rpo() {
        return Optional.ofNullable(rpo);
    }

    /** The RTO of sources without their own, if any. */
    public Optional<Duration> rto() {
        return Optional.ofNullable(rto);
    }

    java.util.Set<String> overriddenSources() {
        java.util.Set<String> s = new java.util.TreeSet<>(rpoBySource.keySet());
        s.addAll(rtoBySource.keySet());
        return s;
    }

    private static Duration positive(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(what + " must be positive, was " + d);
        }
        return d;
    }

    @Override
    public String toString() {
        return "Objectives[rpo=" + rpo + ", rto=" + rto + ", rpoBySource=" + rpoBySource + ", rtoBySource=" + rtoBySource + "]";
    }
}
