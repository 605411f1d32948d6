package com.eazepay.backup.spi;

import com.eazepay.backup.Manifest;

/**
 * Restores backups of one source type without the original source being configured (disaster
 * recovery on another host: only the repository, the key and where to restore are known). Found
 * through {@link java.util.ServiceLoader}: each plug-in module lists its provider in
 * {@code META-INF/services/com.eazepay.backup.spi.SourceProvider}; the engine loads them once, on the
 * first restore of a source it does not configure, and matches {@link #type()} against the
 * manifest's {@link Manifest#sourceType()}. A configured source of the backup's name always wins.
 * Implementations are stateless and thread-safe.
 */
public interface SourceProvider {

    /** The source type this provider restores, as recorded in manifests ({@code postgres}, {@code files}). */
    String type();

    /**
     * A source able to restore the backup described by {@code manifest} into a target of its type.
     * It need not be able to take backups (its {@code backup(..)} may throw {@code INVALID_CONFIGURATION}),
     * and it has no connection settings of its own: a target that would default to "the source's server"
     * must name its server, or the restore fails with {@code INVALID_CONFIGURATION}.
     */
    BackupSource forRestore(Manifest manifest);

    /**
     * A check a restore-only source runs on the target before restoring: throws
     * {@code INVALID_CONFIGURATION} if the target lacks what the missing source would have supplied
     * (typically its server).
     */
    @FunctionalInterface
    interface TargetCheck {
        void check(RestoreTarget target);
    }

    /**
     * Wraps {@code delegate} (built with placeholder connection settings) into a source that restores
     * through it after {@code check} accepted the target, and refuses to take backups
     * ({@code INVALID_CONFIGURATION}). For implementations of {@link #forRestore}.
     */
    static BackupSource restoreOnly(BackupSource delegate, TargetCheck check) {
        java.util.Objects.requireNonNull(delegate, "delegate");
        java.util.Objects.requireNonNull(check, "check");
        String name = delegate.name();
        String type = delegate.type();
        return new BackupSource() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String type() {
                return type;
            }

            @Override
            public boolean sensitive() {
                return delegate.sensitive();
            }

            @Override
            public java.util.Optional<StreamValidator> validator() {
                return delegate.validator();
            }

            @Override
            public void backup(BackupContext context) {
                throw new com.eazepay.backup.BackupException(com.eazepay.backup.CoreErrorCode.INVALID_CONFIGURATION, "'" + name
                        + "' is known from its backups only and restores only: configure a " + type + " source to take backups");
            }

            @Override
            public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
                check.check(target);
                return delegate.restore(context, target);
            }

            @Override
            public String toString() {
                return "restore-only " + type + " source '" + name + "'";
            }
        };
    }
}
