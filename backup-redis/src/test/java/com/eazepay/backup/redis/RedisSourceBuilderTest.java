package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The builder's failure style, shared with every plug-in builder (no server needed). */
class RedisSourceBuilderTest {

    private static final String PASSWORD = "redis-Pw-55e1";

    @Test
    void builderListsEveryProblemInOneInvalidConfiguration() {
        BackupException e = catchThrowableOfType(BackupException.class,
                () -> RedisSource.builder().user("backup").scanCount(10).build());
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).startsWith("RedisSource: ").contains("user 'backup' given without password(..)")
                .contains("scanCount(..) applies only to mode(Mode.KEY_DUMP)");
    }

    @Test
    void aSettingGivenTwiceIsRefusedWithoutShowingItsValue() {
        assertThatThrownBy(() -> RedisSource.builder().password(Secret.of(PASSWORD)).password(Secret.of("other")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("password was already set")
                .hasMessageNotContaining(PASSWORD);
        // a URI sets host, port and credentials: giving them again is the same mistake
        assertThatThrownBy(() -> RedisSource.builder().uri("redis://:" + PASSWORD + "@h:6380").port(6381))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("port was already set")
                .hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> RedisSource.builder().tls(true).tls(false)).isInstanceOf(IllegalStateException.class);
        assertThat(RedisSource.builder().uri("redis://h:6380").mode(RedisSource.Mode.KEY_DUMP).scanCount(5).build())
                .isNotNull();
        assertThatThrownBy(() -> RedisTarget.server("h", 6379).password(Secret.of(PASSWORD)).password(Secret.of("x")))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("RedisTarget: password was already set")
                .hasMessageNotContaining(PASSWORD);
        assertThatThrownBy(() -> RedisTarget.rdbFile(java.nio.file.Path.of("/tmp/x.rdb")).replaceExisting().replaceExisting())
                .isInstanceOf(IllegalStateException.class);
    }
}
