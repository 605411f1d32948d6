package com.eazepay.backup.files;

import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.test.SourceContract;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CommandSource} passes the source contract with a real {@code sh}. Its "server that is not there" is a
 * dump tool that fails and, as real tools do, prints its connection details (secret included) on stderr.
 */
class CommandSourceContractTest extends SourceContract {

    static final String OUTPUT = "id,amount\n" + "42,1000\n".repeat(50);
    static final String FIXTURE_SECRET = "FixtureS3cretValue";

    @TempDir
    Path tmp;
    int targets;

    @Override
    protected BackupSource newSource(String name) {
        return CommandSource.builder(name, "sh", "-c", "printf '%s' \"$PAYLOAD\"")
                .environment("PAYLOAD", OUTPUT)
                .secretEnvironment("DUMP_PASSWORD", Secret.of(FIXTURE_SECRET))
                .stream("dump", "csv")
                .sensitive()
                .build();
    }

    @Override
    protected String fixtureSecret() {
        return FIXTURE_SECRET;
    }

    @Override
    protected RestoreTarget newTarget() {
        return StreamTarget.file(tmp.resolve("restored-" + (++targets) + ".csv"));
    }

    @Override
    protected void assertRestored(RestoreTarget target) {
        try {
            assertThat(Files.readString(tmp.resolve("restored-" + targets + ".csv"))).isEqualTo(OUTPUT);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    protected boolean expectedSensitive() {
        return true;
    }

    @Override
    protected List<String> acceptedTargetTypes() {
        return List.of("StreamTarget");
    }

    @Override
    protected BackupSource unreachableSourceWithSecret(String name, String secret) {
        return CommandSource.builder(name, "sh", "-c",
                        "echo \"dump: connection to postgresql://backup:$DUMP_PASSWORD@127.0.0.1:1/db refused (password $DUMP_PASSWORD)\" >&2; exit 2")
                .secretEnvironment("DUMP_PASSWORD", Secret.of(secret))
                .build();
    }
}
