package com.eazepay.backup.spi;

import com.eazepay.backup.Manifest;
import com.eazepay.backup.config.ConfigNode;

/**
 * One source type's factory, found through {@link java.util.ServiceLoader} (each plug-in module lists its
 * provider in {@code META-INF/services/com.eazepay.backup.spi.SourceProvider}): it builds sources from the YAML
 * configuration ({@link #fromConfig}, used by {@code Backup.engineFrom} and the command line), names the
 * command line's restore targets ({@link #restoreTarget}), and restores backups of its type without the
 * original source being configured ({@link #forRestore}).
 *
 * <p>Restores backups of one source type without the original source being configured (disaster
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
     * Builds a source from its settings (everything under the source's name; the engine-level keys
     * {@code type}, {@code retention}, {@code schedule} and {@code objectives} are already read).
     * Reads settings only through the node's getters so unknown keys are reported. Does not connect.
     *
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} naming the setting's line and column
     */
    BackupSource fromConfig(String name, ConfigNode settings);

    /**
     * The restore target that the command line's {@code restore SOURCE --to VALUE} means for this type:
     * a directory for files, a new database name for PostgreSQL, and so on.
     *
     * @param to       the value given to {@code --to}
     * @param settings the source's settings (for defaults such as the server to restore on)
     * @throws com.eazepay.backup.BackupException {@code INVALID_CONFIGURATION} if {@code to} means nothing for this type
     */
    RestoreTarget restoreTarget(String to, ConfigNode settings);

    /** One line for help texts: what {@code --to} means for this type, e.g. {@code "a new database name"}. */
    String restoreTargetHelp();

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
