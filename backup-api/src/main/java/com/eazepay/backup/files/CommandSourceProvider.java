package com.eazepay.backup.files;

import com.eazepay.backup.config.ConfigNode;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.RestoreTarget;
import com.eazepay.backup.spi.SourceProvider;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * {@code type: command}: {@code command: [program, arg...]} whose standard output is the backup;
 * optional {@code environment: {K: v}}, {@code secretEnvironment: {K: ${SECRET}}} (never in argv or
 * messages), {@code inheritEnvironment: [PATH]}, {@code directory}, {@code timeout: 2h},
 * {@code stream: output}, {@code extension: bin}, {@code sensitive: true}. Restores into the file given
 * to {@code --to}. Stateless, thread-safe.
 */
public final class CommandSourceProvider implements SourceProvider {

    @Override
    public String type() {
        return "command";
    }

    @Override
    public BackupSource fromConfig(String name, ConfigNode settings) {
        List<String> command = settings.strings("command");
        if (command.isEmpty()) {
            throw settings.error("'command' is required: the program and its arguments, e.g. [pg_dumpall, -g]");
        }
        CommandSource.Builder b = CommandSource.builder(name, command);
        for (Map.Entry<String, ConfigNode> e : settings.section("environment").entries().entrySet()) {
            settings.section("environment").get(e.getKey());
            b.environment(e.getKey(), e.getValue().asString());
        }
        ConfigNode secrets = settings.section("secretEnvironment");
        for (Map.Entry<String, ConfigNode> e : secrets.entries().entrySet()) {
            secrets.get(e.getKey());
            b.secretEnvironment(e.getKey(), e.getValue().asSecret());
        }
        List<String> inherit = settings.strings("inheritEnvironment");
        if (!inherit.isEmpty()) {
            b.inheritEnvironment(inherit.toArray(String[]::new));
        }
        settings.optPath("directory").ifPresent(b::directory);
        settings.optDuration("timeout").ifPresent(b::timeout);
        String stream = settings.optString("stream").orElse("output");
        String extension = settings.optString("extension").orElse("bin");
        b.stream(stream, extension);
        if (settings.bool("sensitive", false)) {
            b.sensitive();
        }
        return b.build();
    }

    @Override
    public RestoreTarget restoreTarget(String to, ConfigNode settings) {
        return StreamTarget.file(Path.of(to));
    }

    @Override
    public String restoreTargetHelp() {
        return "a file to write the command's output to (must not exist)";
    }
}
