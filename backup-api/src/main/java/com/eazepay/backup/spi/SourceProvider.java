package com.eazepay.backup.spi;

import com.eazepay.backup.config.ConfigNode;

/**
 * Creates a {@link BackupSource} from the YAML configuration ({@code sources: {name: {type: ...}}}).
 * Found through {@link java.util.ServiceLoader}: each module lists its provider in
 * {@code META-INF/services/com.eazepay.backup.spi.SourceProvider}. Implementations are stateless and
 * thread-safe, with a public no-argument constructor.
 */
public interface SourceProvider {

    /** The {@code type:} this provider handles ({@code postgres}, {@code files}, ...); the source's {@link BackupSource#type()}. */
    String type();

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
}
