package com.eazepay.backup.redis;

import com.eazepay.backup.Secret;
import com.eazepay.backup.redis.internal.RedisEndpoint;
import com.eazepay.backup.redis.internal.RestoreSpec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;

/**
 * Where a {@link RedisSource} backup is restored. Immutable: each method returns a new target.
 *
 * <ul>
 *   <li>{@link #rdbFile(Path)}: writes a standard {@code dump.rdb} for a fresh {@code redis-server
 *   --dir <dir> --dbfilename <name>} to load at start-up. An existing file is refused with
 *   {@code TARGET_NOT_EMPTY} unless {@link #overwriteExisting()}. Only replication-mode (RDB) backups.</li>
 *   <li>{@link #server(String, int)}: loads the keys into a live server with
 *   {@code RESTORE key ttl payload ABSTTL}, pipelined, {@code SELECT} per database. A database of the
 *   backup that already holds keys in the target is refused with {@code TARGET_NOT_EMPTY} unless
 *   {@link #replaceExisting()} (which adds {@code REPLACE}). A target whose RDB version is older than
 *   the backup's is refused with {@code VERSION_MISMATCH}. Keys already expired at restore time
 *   are skipped. Afterwards the key count of each database is checked ({@code CheckResult}s).</li>
 * </ul>
 */
public final class RedisTarget implements com.eazepay.backup.spi.RestoreTarget {

    private final RestoreSpec spec;

    private RedisTarget(RestoreSpec spec) {
        this.spec = spec;
    }

    /** An RDB file to write. */
    public static RedisTarget rdbFile(Path file) {
        Objects.requireNonNull(file, "file");
        return new RedisTarget(new RestoreSpec(file, false, null, false, 1000));
    }

    /** A live server, plain TCP, no password, 60 s timeout. */
    public static RedisTarget server(String host, int port) {
        Objects.requireNonNull(host, "host");
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        return new RedisTarget(new RestoreSpec(null, false,
                new RedisEndpoint(host, port, null, null, null, Duration.ofSeconds(60)), false, 1000));
    }

    /** For {@link #rdbFile}: replace an existing file. */
    public RedisTarget overwriteExisting() {
        return new RedisTarget(new RestoreSpec(spec.file(), true, spec.endpoint(), spec.replaceExisting(), spec.batchSize()));
    }

    /** For {@link #server}: overwrite keys that exist in the target ({@code RESTORE ... REPLACE}). */
    public RedisTarget replaceExisting() {
        return new RedisTarget(new RestoreSpec(spec.file(), spec.overwriteFile(), spec.endpoint(), true, spec.batchSize()));
    }

    /** For {@link #server}: ACL user. */
    public RedisTarget user(String user) {
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), Objects.requireNonNull(user, "user"), e.password(), e.tls(), e.timeout()));
    }

    /** For {@link #server}: password. */
    public RedisTarget password(Secret password) {
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), Objects.requireNonNull(password, "password"), e.tls(), e.timeout()));
    }

    /** For {@link #server}: TLS with this context. */
    public RedisTarget tls(SSLContext context) {
        RedisEndpoint e = endpoint();
        SSLSocketFactory f = Objects.requireNonNull(context, "context").getSocketFactory();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), e.password(), f, e.timeout()));
    }

    /** For {@link #server}: connect and read timeout. Default 60 s. */
    public RedisTarget timeout(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        RedisEndpoint e = endpoint();
        return with(new RedisEndpoint(e.host(), e.port(), e.user(), e.password(), e.tls(), timeout));
    }

    /** For {@link #server}: RESTORE commands per pipelined batch, 1..100000. Default 1000. */
    public RedisTarget batchSize(int n) {
        if (n < 1 || n > 100_000) {
            throw new IllegalArgumentException("batchSize must be 1..100000: " + n);
        }
        return new RedisTarget(new RestoreSpec(spec.file(), spec.overwriteFile(), spec.endpoint(), spec.replaceExisting(), n));
    }

    private RedisEndpoint endpoint() {
        if (spec.endpoint() == null) {
            throw new IllegalStateException("only a RedisTarget.server(..) target has connection settings");
        }
        return spec.endpoint();
    }

    private RedisTarget with(RedisEndpoint e) {
        return new RedisTarget(new RestoreSpec(spec.file(), spec.overwriteFile(), e, spec.replaceExisting(), spec.batchSize()));
    }

    RestoreSpec spec() {
        return spec;
    }

    @Override
    public String describe() {
        return spec.file() != null ? spec.file().toString() : spec.endpoint().describe();
    }

    @Override
    public String toString() {
        return "RedisTarget[" + describe() + "]";
    }
}
