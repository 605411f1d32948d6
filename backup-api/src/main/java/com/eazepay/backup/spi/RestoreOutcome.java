package com.eazepay.backup.spi;

import com.eazepay.backup.CheckResult;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a source reports after a restore.
 *
 * @param location where the data now is (credential-free), e.g. {@code /srv/restore} or {@code postgres://host:5432/restore_tmp}
 * @param checks   post-restore checks that ran, in order (empty if none)
 * @param facts    facts about the restore (rows restored, keys loaded); JSON-representable values
 */
public record RestoreOutcome(String location, List<CheckResult> checks, Map<String, Object> facts) {

    /**
     * The fact a source reports when its restore replayed beyond the backup's consistent point (continuous archiving:
     * PostgreSQL WAL replayed to a point in time or to the end of the archive): the newest point in time the restored
     * data holds (for PostgreSQL, the last replayed commit's time), as an ISO-8601 instant string. Drills measure the
     * recovery point achieved (data age) from it rather than from the backup's consistent point.
     */
    public static final String RECOVERED_TO = "recovered_to";
    public RestoreOutcome {
        Objects.requireNonNull(location, "location");
        checks = List.copyOf(checks);
        facts = Map.copyOf(facts);
    }

    /** An outcome with no checks and no facts. */
    public static RestoreOutcome at(String location) {
        return new RestoreOutcome(location, List.of(), Map.of());
    }
}
