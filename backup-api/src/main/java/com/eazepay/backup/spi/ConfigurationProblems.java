package com.eazepay.backup.spi;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * The bookkeeping of a plug-in builder, so every builder fails the same way as the engine's:
 * <ul>
 *   <li>{@link #once(String)}: a setting given twice is refused at once with an
 *   {@link IllegalStateException} naming it (Caffeine's {@code requireState}): two calls that silently
 *   override each other hide a mistake, e.g. two different passwords from two configuration layers;</li>
 *   <li>{@link #add(String)} / {@link #check(boolean, String)} in {@code build()}: every missing or
 *   conflicting setting is collected, and {@link #throwIfAny()} throws one {@code INVALID_CONFIGURATION}
 *   listing all of them, so the user fixes the configuration in one round.</li>
 * </ul>
 * Messages name settings, never their values (values may be secrets). Not thread-safe, like the builders
 * that own it.
 */
public final class ConfigurationProblems {

    private final String component;
    private final Set<String> given = new HashSet<>();
    private final List<String> problems = new ArrayList<>();

    private ConfigurationProblems(String component) {
        this.component = component;
    }

    /** Bookkeeping for the builder of {@code component} (e.g. {@code "PostgresSource"}), used in messages. */
    public static ConfigurationProblems of(String component) {
        return new ConfigurationProblems(Objects.requireNonNull(component, "component"));
    }

    /**
     * Records that {@code setting} is being given.
     *
     * @throws IllegalStateException when it was given before
     */
    public void once(String setting) {
        if (!given.add(Objects.requireNonNull(setting, "setting"))) {
            throw new IllegalStateException(component + ": " + setting + " was already set; give each setting once");
        }
    }

    /** Whether {@code setting} was given. */
    public boolean given(String setting) {
        return given.contains(setting);
    }

    /** Adds a problem found by {@code build()}. */
    public ConfigurationProblems add(String problem) {
        problems.add(Objects.requireNonNull(problem, "problem"));
        return this;
    }

    /** Adds {@code problem} unless {@code ok}. */
    public ConfigurationProblems check(boolean ok, String problem) {
        if (!ok) {
            add(problem);
        }
        return this;
    }

    /** The problems found so far. */
    public List<String> problems() {
        return List.copyOf(problems);
    }

    /**
     * Throws when any problem was added. The collected problems are cleared first, so the builder can be
     * fixed and built again.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION}: {@code "<component>: <problem>; <problem>"}
     */
    public void throwIfAny() {
        if (!problems.isEmpty()) {
            String message = component + ": " + String.join("; ", problems);
            problems.clear();
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, message);
        }
    }
}
