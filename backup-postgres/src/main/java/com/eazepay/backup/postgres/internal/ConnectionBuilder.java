package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.ConfigurationProblems;

import java.util.Map;
import java.util.Objects;

/**
 * The connection setters the PostgreSQL builders share ({@code host}, {@code port}, {@code user}, {@code password}),
 * with the builders' {@link ConfigurationProblems} bookkeeping: each setting once, a bad value refused at once, a
 * missing host reported by {@link #connection(String)} among the builder's other problems. Not thread-safe, like the
 * builders that extend it.
 *
 * @param <B> the builder type, returned by every setter
 */
public abstract class ConnectionBuilder<B extends ConnectionBuilder<B>> {

    /** The builder's problems: its own settings call {@code once(..)} and {@code build()} adds to it. */
    protected final ConfigurationProblems problems;
    private final String defaultUser;
    private String host;
    private int port = ConnectionSettings.DEFAULT_PORT;
    private String user;
    private Secret password;

    /**
     * @param component   the builder's component name in messages ({@code "WAL receiver"})
     * @param defaultUser the role used when {@link #user} is not called
     */
    protected ConnectionBuilder(String component, String defaultUser) {
        this.problems = ConfigurationProblems.of(component);
        this.defaultUser = defaultUser;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Server host name or address (or a Unix socket directory). Required. */
    public B host(String host) {
        problems.once("host");
        this.host = Objects.requireNonNull(host, "host");
        return self();
    }

    /** Server port, 1..65535. Default 5432. */
    public B port(int port) {
        problems.once("port");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, was " + port);
        }
        this.port = port;
        return self();
    }

    /** A role with the REPLICATION attribute (or a superuser). Default {@code postgres}. */
    public B user(String user) {
        problems.once("user");
        if (Objects.requireNonNull(user, "user").isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        this.user = user;
        return self();
    }

    /** The role's password, given to the tools in a 0600 passfile ({@code PGPASSFILE}), never argv or environment. Default none. */
    public B password(Secret password) {
        problems.once("password");
        this.password = Objects.requireNonNull(password, "password");
        return self();
    }

    /** As {@link #password(Secret)}. */
    public B password(String password) {
        return password(Secret.of(Objects.requireNonNull(password, "password")));
    }

    /**
     * The connection settings to {@code database}, or null after adding "host is required" to {@link #problems}
     * (call it in {@code build()} before {@code problems.throwIfAny()}).
     */
    protected ConnectionSettings connection(String database) {
        if (host == null || host.isBlank()) {
            problems.add("host is required: call host(..)");
            return null;
        }
        return new ConnectionSettings(host, port, database, user != null ? user : defaultUser, password, Map.of());
    }
}
