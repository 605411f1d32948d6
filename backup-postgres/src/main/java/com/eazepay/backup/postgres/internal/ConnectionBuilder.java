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
    private final String defaultHost;
    private final String defaultUser;
    private String host;
    private int port = ConnectionSettings.DEFAULT_PORT;
    private String user;
    private Secret password;

    /**
     * @param component   the builder's component name in messages ({@code "WAL receiver"})
     * @param defaultHost the host used when {@link #host} is not called; null: required
     * @param defaultUser the role used when {@link #user} is not called; null: the driver's or tool's default
     */
    protected ConnectionBuilder(String component, String defaultHost, String defaultUser) {
        this.problems = ConfigurationProblems.of(component);
        this.defaultHost = defaultHost;
        this.defaultUser = defaultUser;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Server host name or address (or a Unix socket directory); the builder's Javadoc states its default, if any. */
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

    /** The role to connect as; the builder's Javadoc states the default and the privileges it needs. */
    public B user(String user) {
        problems.once("user");
        if (Objects.requireNonNull(user, "user").isBlank()) {
            throw new IllegalArgumentException("user must not be blank");
        }
        this.user = user;
        return self();
    }

    /**
     * The role's password: to the driver as a connection property, to the tools in a 0600 passfile
     * ({@code PGPASSFILE}), never argv or environment. Default none (trust, peer or {@code .pgpass}).
     */
    public B password(Secret password) {
        problems.once("password");
        this.password = Objects.requireNonNull(password, "password");
        return self();
    }

    /** As {@link #password(Secret)}. */
    public B password(String password) {
        return password(Secret.of(Objects.requireNonNull(password, "password")));
    }

    /** The user given to {@link #user}, or null. */
    protected String givenUser() {
        return user;
    }

    /** The password given to {@link #password}, or null. */
    protected Secret givenPassword() {
        return password;
    }

    /** Whether {@link #host} or {@link #port} was called. */
    protected boolean serverGiven() {
        return problems.given("host") || problems.given("port");
    }

    /**
     * The connection settings to {@code database}, or null after adding "host is required" to {@link #problems}
     * (call it in {@code build()} before {@code problems.throwIfAny()}).
     */
    protected ConnectionSettings connection(String database) {
        String h = host != null ? host : defaultHost;
        if (h == null || h.isBlank()) {
            problems.add("host is required: call host(..)");
            return null;
        }
        return new ConnectionSettings(h, port, database, user != null ? user : defaultUser, password, Map.of());
    }
}
