package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.SourceProvider;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The engine restores redis backups without a configured source through this module's ServiceLoader provider. */
class RedisSourceProviderTest {

    static Manifest manifest() {
        Instant t = Instant.parse("2026-11-24T02:00:00Z");
        return new Manifest(Manifest.FORMAT_VERSION, "20261124T020000.000Z-abcdef", "dr-redis", "redis", "manual", Set.of(), Map.of(),
                null, t, t, t, "dev", new Manifest.Codec("none", Map.of()), new Manifest.Codec("none", Map.of()), List.of(), Map.of());
    }

    @Test
    void theProviderIsRegisteredForTheSourceTypeAndItsSourceRestoresOnly() {
        SourceProvider provider = ServiceLoader.load(SourceProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.type().equals("redis")).findFirst().orElseThrow();
        assertThat(provider).isInstanceOf(RedisSourceProvider.class);
        BackupSource source = provider.forRestore(manifest());
        assertThat(source.name()).isEqualTo("dr-redis");
        assertThat(source.type()).isEqualTo("redis");
        assertThatThrownBy(() -> source.backup(null)).isInstanceOf(BackupException.class).hasMessageContaining("restores only")
                .extracting(e -> ((BackupException) e).errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
    }
}
