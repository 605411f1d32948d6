package com.eazepay.backup.spi;

import com.eazepay.backup.Manifest;

import java.util.Objects;

/**
 * The optional ability of a {@link ScratchTarget} to be put in place of the live data its source backs up, once the
 * scratch restore's checks passed: a corruption drill with {@code swap()} ({@code engine.drill()
 * .scenario(CORRUPTION).swap()}). The previous live data is kept, never deleted, under a name the
 * {@link Result} gives. After a swap the scratch target holds nothing any more, so its {@link ScratchTarget#drop()}
 * finds nothing to drop. Called at most once, from the thread running the drill.
 */
@FunctionalInterface
public interface ScratchSwap {

    /**
     * Puts the restored scratch data in place of the live data, all or nothing: when this throws, the live data is
     * untouched (the message says so) and the scratch target is dropped as usual.
     *
     * @param backup the restored backup (e.g. for naming the previous data {@code <name>_before_<backupId>})
     * @return where the live data now is and where the previous data was kept
     * @throws com.eazepay.backup.BackupException if the swap is refused (privileges, sessions) or fails
     */
    Result swapIntoPlace(Manifest backup);

    /**
     * A swap that happened.
     *
     * @param live     where the restored data is now live (credential-free), e.g. {@code postgresql://db:5432/app}
     * @param previous where the previous live data was kept, e.g. {@code postgresql://db:5432/app_before_<backupId>},
     *                 or a note that there was none
     */
    record Result(String live, String previous) {
        public Result {
            Objects.requireNonNull(live, "live");
            Objects.requireNonNull(previous, "previous");
        }
    }
}
