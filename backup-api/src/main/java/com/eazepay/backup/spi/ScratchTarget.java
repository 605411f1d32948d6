package com.eazepay.backup.spi;

/**
 * A throw-away restore target a source supplies for restore tests and drills
 * ({@code engine.verify(source).restoreTest()}): a temporary PostgreSQL database {@code restoretest_<id>} on the
 * source's server, a temporary directory, an RDB file in a temporary directory. The engine records
 * {@link #resource()} in a cleanup journal in the repository before restoring and calls {@link #drop()} after
 * the checks, whatever happened; a journal left by a killed JVM is replayed with
 * {@link BackupSource#dropScratch(String)}.
 */
public interface ScratchTarget {

    /** Where to restore; restores only into something this scratch target created or will create. */
    RestoreTarget target();

    /**
     * What {@link BackupSource#dropScratch(String)} needs to drop it after a crash, e.g. the database name or
     * the directory path. No secrets: it is stored in the repository.
     */
    String resource();

    /** Drops what was created (idempotent: nothing to drop is fine). @throws com.eazepay.backup.BackupException if it cannot */
    void drop();

    /**
     * How to put this scratch target, restored and checked, in place of the live data (a corruption drill with
     * {@code swap()}), or empty if this source cannot: the drill then reports that the source cannot swap and counts
     * the source as failed, never skipping the swap silently. Default: empty.
     */
    default java.util.Optional<ScratchSwap> swap() {
        return java.util.Optional.empty();
    }
}
