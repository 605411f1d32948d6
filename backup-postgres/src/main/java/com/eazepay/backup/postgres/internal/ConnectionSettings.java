package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.ChildProcess;

import java.net.ConnectException;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;

/**
 * Where and as whom to connect: host, port, database, user, password, plus driver parameters from a
 * JDBC URL (never {@code user}/{@code password}, which are pulled out). {@link #toString()} and
 * {@link #location()} are credential-free. Immutable.
 */
public final class ConnectionSettings {

    /** Default PostgreSQL port. */
    public static final int DEFAULT_PORT = 5432;

    private final String host;
    private final int port;
    private final String database;
    private final String user;
    private final Secret password;
    private final Map<String, String> parameters;

    public ConnectionSettings(String host, int port, String database, String user, Secret password,
                              Map<String, String> parameters) {
        this.host = Objects.requireNonNull(host, "host");
        this.port = port;
        this.database = Objects.requireNonNull(database, "database");
        this.user = user;
        this.password = password;
        this.parameters = Map.copyOf(parameters);
    }

    /**
     * Parses {@code jdbc:postgresql://host[:port][/database][?k=v&...]} or {@code jdbc:postgresql:database}.
     * A {@code user} or {@code password} parameter is taken out of the URL; the password becomes a
     * {@link Secret}. Messages never repeat the URL's query string.
     *
     * @throws IllegalArgumentException for another scheme or several hosts
     */
    public static ConnectionSettings parseJdbcUrl(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String prefix = "jdbc:postgresql:";
        if (!jdbcUrl.startsWith(prefix)) {
            throw new IllegalArgumentException("not a PostgreSQL JDBC URL (must start with jdbc:postgresql:)");
        }
        String rest = jdbcUrl.substring(prefix.length());
        String query = "";
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String host = "localhost";
        int port = DEFAULT_PORT;
        String database;
        if (rest.startsWith("//")) {
            rest = rest.substring(2);
            int slash = rest.indexOf('/');
            String hostPort = slash >= 0 ? rest.substring(0, slash) : rest;
            database = slash >= 0 ? rest.substring(slash + 1) : "";
            if (hostPort.contains(",")) {
                throw new IllegalArgumentException("JDBC URLs with several hosts are not supported: give one host");
            }
            if (hostPort.startsWith("[")) {
                int end = hostPort.indexOf(']');
                host = hostPort.substring(1, end);
                if (hostPort.length() > end + 2 && hostPort.charAt(end + 1) == ':') {
                    port = parsePort(hostPort.substring(end + 2));
                }
            } else if (!hostPort.isEmpty()) {
                int colon = hostPort.lastIndexOf(':');
                host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
                if (colon >= 0) {
                    port = parsePort(hostPort.substring(colon + 1));
                }
            }
        } else {
            database = rest;
        }
        String user = null;
        Secret password = null;
        Map<String, String> params = new LinkedHashMap<>();
        if (!query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String key = decode(eq >= 0 ? pair.substring(0, eq) : pair);
                String value = eq >= 0 ? decode(pair.substring(eq + 1)) : "";
                switch (key) {
                    case "user" -> user = value;
                    case "password" -> password = Secret.of(value);
                    default -> params.put(key, value);
                }
            }
        }
        database = decode(database);
        return new ConnectionSettings(host, port, database.isEmpty() ? (user == null ? "postgres" : user) : database,
                user, password, params);
    }

    private static int parsePort(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port " + port + " out of range 1..65535");
            }
            return port;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port '" + text + "' is not a number", e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String database() {
        return database;
    }

    /** The user, or null for the driver's default (the OS user). */
    public String user() {
        return user;
    }

    /** The password, or null. */
    public Secret password() {
        return password;
    }

    /** The same server and credentials, another database. */
    public ConnectionSettings withDatabase(String otherDatabase) {
        return new ConnectionSettings(host, port, otherDatabase, user, password, parameters);
    }

    /** The same server and database, other credentials. */
    public ConnectionSettings withCredentials(String otherUser, Secret otherPassword) {
        return new ConnectionSettings(host, port, database, otherUser, otherPassword, parameters);
    }

    /** Credential-free location: {@code postgresql://host:port/database}. */
    public String location() {
        return location(database);
    }

    /** Credential-free location of another database on the same server. */
    public String location(String db) {
        String h = host.contains(":") ? "[" + host + "]" : host;
        return "postgresql://" + h + ":" + port + "/" + db;
    }

    /**
     * Environment for libpq tools: {@code PGHOST}, {@code PGPORT}, {@code PGDATABASE}, {@code PGUSER},
     * {@code PGSSLMODE}, {@code PGAPPNAME}. Never the password: see {@link #tool(String, java.util.List, java.time.Duration)}.
     */
    public Map<String, String> libpqEnvironment() {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PGHOST", host);
        env.put("PGPORT", Integer.toString(port));
        env.put("PGDATABASE", database);
        if (user != null) {
            env.put("PGUSER", user);
        }
        String sslmode = parameters.get("sslmode");
        if (sslmode != null) {
            env.put("PGSSLMODE", sslmode);
        }
        env.put("PGAPPNAME", "eazepay-backup");
        return env;
    }

    /**
     * A libpq tool ({@code pg_dump}, {@code pg_restore}, {@code psql}) connecting with these settings: the
     * {@link #libpqEnvironment()} and, when a password is set, a 0600 password file
     * {@code *:*:*:*:<password>} passed as {@code PGPASSFILE} (never {@code PGPASSWORD}: a process's
     * environment is readable in {@code /proc/<pid>/environ}; never argv). The child gets no other
     * variable of the JVM's environment than {@link ChildProcess#BASE_ENVIRONMENT}, so a stray
     * {@code PGHOST}/{@code PGPASSWORD} of the application cannot redirect or authenticate it.
     */
    public ChildProcess tool(String name, java.util.List<String> argv, java.time.Duration timeout) {
        ChildProcess p = ChildProcess.of(argv).name(name).environment(libpqEnvironment()).timeout(timeout);
        if (password != null) {
            String escaped = password.reveal().replace("\\", "\\\\").replace(":", "\\:");
            p = p.secretFile("PGPASSFILE", Secret.of("*:*:*:*:" + escaped + "\n"));
        }
        return p;
    }

    /**
     * The contents of a libpq password file matching exactly this server and user
     * ({@code host:port:*:user:password}, {@code :} and {@code \} escaped), for
     * {@code ChildProcess.secretFile("PGPASSFILE", ..)}; {@code null} user matches any user.
     */
    public static Secret passfile(String host, int port, String user, Secret password) {
        return Secret.of(escapePass(host) + ":" + port + ":*:" + (user == null ? "*" : escapePass(user)) + ":"
                + escapePass(password.reveal()) + "\n");
    }

    /**
     * The connection options of a replication tool ({@code pg_basebackup}, {@code pg_receivewal}):
     * {@code -h host -p port -U user --no-password}; the password goes through {@link #withPassfile}.
     */
    public java.util.List<String> replicationArgs() {
        return java.util.List.of("-h", host, "-p", Integer.toString(port), "-U", user, "--no-password");
    }

    /**
     * {@code child} with, when a password is set, a 0600 password file for exactly this server and user as
     * {@code PGPASSFILE} ({@link #passfile}); unchanged otherwise.
     */
    public ChildProcess withPassfile(ChildProcess child) {
        return password == null ? child : child.secretFile("PGPASSFILE", passfile(host, port, user, password));
    }

    private static String escapePass(String s) {
        return s.replace("\\", "\\\\").replace(":", "\\:");
    }

    /** A libpq tool that needs no connection ({@code pg_restore --file=-}, {@code --version}). */
    public static ChildProcess offlineTool(String name, java.util.List<String> argv, java.time.Duration timeout) {
        return ChildProcess.of(argv).name(name).timeout(timeout);
    }

    /**
     * Opens a JDBC connection. Classifies failures: unreachable server {@code SOURCE_UNAVAILABLE}
     * (retryable), bad credentials {@code AUTHENTICATION_FAILED}, missing database {@code NOT_FOUND}.
     *
     * @param purpose what the connection is for, for messages ({@code backup}, {@code restore})
     */
    public Connection connect(String purpose) {
        Properties props = new Properties();
        parameters.forEach(props::setProperty);
        if (user != null) {
            props.setProperty("user", user);
        }
        if (password != null) {
            props.setProperty("password", password.reveal());
        }
        props.putIfAbsent("ApplicationName", "eazepay-backup");
        props.putIfAbsent("connectTimeout", "10");
        String h = host.contains(":") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + h + ":" + port + "/" + java.net.URLEncoder.encode(database, StandardCharsets.UTF_8);
        try {
            Connection c = new org.postgresql.Driver().connect(url, props);
            if (c == null) {
                throw new BackupException(CoreErrorCode.INTERNAL, "PostgreSQL driver refused URL for " + location());
            }
            return c;
        } catch (SQLException e) {
            throw translate(e, "cannot connect to " + location() + " for " + purpose);
        }
    }

    /** Translates a driver exception into a {@link BackupException} whose message holds no credentials. */
    public BackupException translate(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        String detail = redact(e.getMessage());
        if (state.equals("28P01") || state.equals("28000")) {
            return new BackupException(CoreErrorCode.AUTHENTICATION_FAILED, what + " as user '" + user
                    + "': authentication failed (" + detail + "); check the user and password", e);
        }
        if (detail.contains("conflict with recovery")) {
            return new BackupException(CoreErrorCode.SOURCE_FAILED, what + ": " + detail + " (SQLSTATE " + state
                    + "): the standby cancelled the query to replay WAL; set hot_standby_feedback = on or raise"
                    + " max_standby_streaming_delay on the standby, or back up the primary", e, true);
        }
        if (state.equals("3D000")) {
            return new BackupException(CoreErrorCode.NOT_FOUND, what + ": " + detail
                    + "; create it or check the database name", e);
        }
        if (state.startsWith("08") || hasCause(e, ConnectException.class) || hasCause(e, UnknownHostException.class)) {
            return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, what + ": server unreachable (" + detail
                    + "); check that PostgreSQL runs and accepts TCP connections on " + host + ":" + port, e, true);
        }
        return new BackupException(CoreErrorCode.SOURCE_FAILED, what + ": " + detail + " (SQLSTATE " + state + ")", e);
    }

    private String redact(String message) {
        if (message == null) {
            return "no detail";
        }
        return password == null || password.isEmpty() ? message : message.replace(password.reveal(), "****");
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return location() + (user == null ? "" : " as " + user) + (password == null ? "" : " (password ****)");
    }
}
