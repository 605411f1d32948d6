package com.eazepay.backup.redis;

import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code type: redis} in the YAML configuration. Settings (as on {@link RedisSource.Builder}):
 * {@code uri} (kept secret) or {@code host}/{@code port}; {@code user}, {@code password}; {@code tls}
 * (boolean); {@code timeout}; {@code mode} ({@code replication} or {@code key-dump}); {@code scanCount}.
 * {@code restore --to FILE.rdb} writes a standard RDB file (load it with {@code redis-server --dbfilename});
 * {@code --to host:port} restores into a live server. Stateless, thread-safe.
 */
public final class RedisSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "redis";
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode s) {
        RedisSource.Builder b = RedisSource.builder().name(name);
        s.optSecret("uri").ifPresent(u -> b.uri(u.reveal()));
        s.optString("host").ifPresent(b::host);
        s.optInt("port").ifPresent(b::port);
        s.optString("user").ifPresent(b::user);
        s.optSecret("password").ifPresent(b::password);
        if (s.has("tls")) {
            b.tls(s.bool("tls", false));
        }
        s.optDuration("timeout").ifPresent(b::timeout);
        s.get("mode").ifPresent(m -> {
            String v = m.asString().toUpperCase(Locale.ROOT).replace('-', '_');
            try {
                b.mode(RedisSource.Mode.valueOf(v));
            } catch (IllegalArgumentException e) {
                throw m.error("unknown mode: use replication or key-dump");
            }
        });
        s.optInt("scanCount").ifPresent(b::scanCount);
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        int colon = to.lastIndexOf(':');
        if (colon > 0 && to.substring(colon + 1).matches("\\d{1,5}") && !to.contains("/")) {
            return RedisTarget.server(to.substring(0, colon), Integer.parseInt(to.substring(colon + 1)));
        }
        return RedisTarget.rdbFile(Path.of(to));
    }

    @Override
    public String restoreTargetHelp() {
        return "an RDB file to write (dump.rdb), or host:port of a live server";
    }
}
