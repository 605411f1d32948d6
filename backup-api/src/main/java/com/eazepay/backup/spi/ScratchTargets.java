package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the sources' scratch targets share: a {@link ScratchTarget} from its parts, the naming rules of scratch
 * databases and directories, and deleting a scratch directory named in a cleanup journal. A journal comes from
 * the repository, so nothing is dropped or deleted unless its name follows these rules.
 */
public final class ScratchTargets {

    private static final Logger LOG = LoggerFactory.getLogger(ScratchTargets.class);

    /** Prefix of scratch databases ({@code restoretest_<id>}) on a source's server. */
    public static final String DATABASE_PREFIX = "restoretest_";

    /** Prefix of scratch directories under {@code java.io.tmpdir}. */
    public static final String DIRECTORY_PREFIX = "eazepay-restoretest_";

    private static final Pattern DATABASE = Pattern.compile(Pattern.quote(DATABASE_PREFIX) + "[a-z0-9_]{1,50}");

    private ScratchTargets() {
    }

    /**
     * A scratch target restoring into what {@code target} supplies (called when the restore starts), recorded in
     * the cleanup journal as {@code resource}, and dropped with {@code drop.accept(resource)} — the same call that
     * replays a journal, so both paths drop alike.
     */
    public static ScratchTarget of(Supplier<RestoreTarget> target, String resource, Consumer<String> drop) {
        return of(target, resource, drop, null);
    }

    /** As {@link #of(Supplier, String, Consumer)}, able to swap into place with {@code swap} (null: cannot). */
    public static ScratchTarget of(Supplier<RestoreTarget> target, String resource, Consumer<String> drop, ScratchSwap swap) {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(drop, "drop");
        return new ScratchTarget() {
            @Override
            public java.util.Optional<ScratchSwap> swap() {
                return java.util.Optional.ofNullable(swap);
            }

            @Override
            public RestoreTarget target() {
                return target.get();
            }

            @Override
            public String resource() {
                return resource;
            }

            @Override
            public void drop() {
                drop.accept(resource);
            }
        };
    }

    /** Whether {@code name} is a scratch database name ({@code restoretest_[a-z0-9_]{1,50}}). */
    public static boolean isScratchDatabase(String name) {
        return name != null && DATABASE.matcher(name).matches();
    }

    /** The scratch directory of restore test {@code testId}: {@code java.io.tmpdir/eazepay-restoretest_<id>}. */
    public static Path directory(String testId) {
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().resolve(DIRECTORY_PREFIX + testId);
    }

    /**
     * Deletes a scratch directory and everything in it (links are deleted, never followed). Any other path
     * (relative, not normalized, or not named {@code eazepay-restoretest_…}) is left alone and logged.
     *
     * @throws BackupException {@code STORAGE_FAILED} if deleting fails
     */
    public static void deleteDirectory(String resource) {
        Path dir = Path.of(resource);
        if (!dir.isAbsolute() || dir.getFileName() == null || !dir.getFileName().toString().startsWith(DIRECTORY_PREFIX)
                || !dir.normalize().equals(dir)) {
            LOG.warn("not deleting {}: not a restore-test scratch directory", resource);
            return;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_FAILED, "deleting the restore-test directory " + dir + " failed: "
                    + e.getMessage(), e);
        }
    }
}
