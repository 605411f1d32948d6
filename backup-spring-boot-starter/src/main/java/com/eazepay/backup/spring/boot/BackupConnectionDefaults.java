package com.eazepay.backup.spring.boot;

import com.eazepay.backup.config.ConfigNode;

import java.util.Map;
import java.util.Set;

/**
 * Connection settings the application already has (its {@code DataSource}, its MongoDB or Redis
 * connection details), given to every configured source of {@link #type()} that declares none of
 * {@link #connectionKeys()} itself. The starter registers one per connection it finds; an application
 * may add its own bean.
 */
public interface BackupConnectionDefaults {

    /** The {@code type:} of source these settings are for, e.g. {@code postgres}. */
    String type();

    /** Settings that, when a source sets any of them, mean it has its own connection and gets nothing. */
    Set<String> connectionKeys();

    /**
     * The settings to add (credentials as {@linkplain ConfigNode.Leaf#secret() secret} leaves), or an
     * empty map when the application's connection cannot be described (the source then needs its own).
     */
    Map<String, ConfigNode.Leaf> settings();

    /** What these settings come from, for logs, e.g. {@code the application's DataSource}. */
    String describe();
}
