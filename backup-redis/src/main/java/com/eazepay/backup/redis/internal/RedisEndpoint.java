package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;

import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where and how to connect to one Redis server. Immutable; {@link #toString()} never shows the
 * password.
 *
 * @param tls socket factory for TLS, or null for plain TCP
 */
public record RedisEndpoint(String host, int port, String user, Secret password, SSLSocketFactory tls, Duration timeout) {

    /** Credential-free description, e.g. {@code redis://cache:6379} or {@code rediss://...}. */
    public String describe() {
        return (tls != null ? "rediss://" : "redis://") + (user != null ? user + "@" : "") + host + ":" + port;
    }

    @Override
    public String toString() {
        return describe();
    }

    /**
     * Connects and authenticates.
     *
     * @throws BackupException {@code SOURCE_UNAVAILABLE} (retryable) when the server cannot be
     *                         reached, {@code AUTHENTICATION_FAILED} when authentication fails or the
     *                         server needs a password and none is configured
     */
    public RespConnection connect() {
        RespConnection c;
        try {
            c = RespConnection.open(host, port, tls, timeout);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, "cannot connect to " + describe() + ": " + e.getMessage(), e);
        }
        try {
            if (password != null) {
                Object r = user != null ? c.call("AUTH", user, password.reveal()) : c.call("AUTH", password.reveal());
                if (r instanceof RespConnection.RespError err) {
                    throw new BackupException(CoreErrorCode.AUTHENTICATION_FAILED, "authentication to " + describe() + " failed ("
                            + err.message() + "): check the configured user and password");
                }
            } else if (c.call("PING") instanceof RespConnection.RespError err && "NOAUTH".equals(err.kind())) {
                // without this, later commands fail with NOAUTH and read as "replication refused" or
                // "INFO refused", which points the user at the wrong fix
                throw new BackupException(CoreErrorCode.AUTHENTICATION_FAILED, describe() + " requires authentication (" + err.message()
                        + ") and no password is configured: configure password(..) (and user(..) for an ACL user)");
            }
            return c;
        } catch (IOException e) {
            c.close();
            throw unavailable(password != null ? "authenticating to" : "connecting to", e);
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Maps an I/O failure to a retryable {@code SOURCE_UNAVAILABLE} (or {@code TIMEOUT}); a protocol
     * error (the server sent something that is not RESP) to a non-retryable {@code SOURCE_FAILED}.
     */
    public BackupException unavailable(String doing, IOException e) {
        if (e instanceof RespConnection.ProtocolException) {
            return new BackupException(CoreErrorCode.SOURCE_FAILED, doing + " " + describe() + " failed: protocol error: "
                    + e.getMessage() + " (is this a Redis server, and is TLS configured the same on both sides?)", e);
        }
        if (e instanceof SocketTimeoutException) {
            return new BackupException(CoreErrorCode.TIMEOUT, doing + " " + describe() + " timed out after " + timeout
                    + ": raise timeout(..)", e);
        }
        return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE, doing + " " + describe() + " failed: " + e.getMessage(), e);
    }

    /** Runs {@code INFO section} and parses {@code key:value} lines; empty on an error reply. */
    public static Map<String, String> info(RespConnection c, String section) throws IOException {
        return parseInfo(c.call("INFO", section));
    }

    /** Parses an {@code INFO} reply's {@code key:value} lines; empty for an error reply. */
    public static Map<String, String> parseInfo(Object r) {
        Map<String, String> m = new HashMap<>();
        if (r instanceof byte[] b) {
            for (String line : new String(b, java.nio.charset.StandardCharsets.UTF_8).split("\r?\n")) {
                int i = line.indexOf(':');
                if (i > 0 && !line.startsWith("#")) {
                    m.put(line.substring(0, i), line.substring(i + 1).trim());
                }
            }
        }
        return m;
    }

    /** Key counts per database from {@code INFO keyspace} ({@code db0:keys=3,expires=0,...}). */
    public Map<Integer, Long> keyspace(RespConnection c) throws IOException {
        Object reply = c.call("INFO", "keyspace");
        if (reply instanceof RespConnection.RespError err) {
            // without it we cannot know which databases hold keys: never take a silently empty backup
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, "INFO keyspace on " + describe() + " was refused ("
                    + err.message() + "): grant the user the INFO command (+info)");
        }
        Map<String, String> lines = new HashMap<>();
        for (String line : new String((byte[]) reply, java.nio.charset.StandardCharsets.UTF_8).split("\r?\n")) {
            int i = line.indexOf(':');
            if (i > 0 && !line.startsWith("#")) {
                lines.put(line.substring(0, i), line.substring(i + 1).trim());
            }
        }
        Map<Integer, Long> out = new java.util.TreeMap<>();
        for (Map.Entry<String, String> e : lines.entrySet()) {
            if (e.getKey().startsWith("db")) {
                for (String part : e.getValue().split(",")) {
                    if (part.startsWith("keys=")) {
                        out.put(Integer.parseInt(e.getKey().substring(2)), Long.parseLong(part.substring(5)));
                    }
                }
            }
        }
        return out;
    }

    /** Throws {@code SOURCE_FAILED} if {@code reply} is an error reply. */
    public Object check(Object reply, String doing) {
        if (reply instanceof RespConnection.RespError err) {
            throw new BackupException(CoreErrorCode.SOURCE_FAILED, doing + " on " + describe() + " failed: " + err.message());
        }
        return reply;
    }

    /** The elements of an array reply. */
    @SuppressWarnings("unchecked")
    public static List<Object> list(Object reply) {
        return (List<Object>) reply;
    }
}
