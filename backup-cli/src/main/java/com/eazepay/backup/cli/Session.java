package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.config.BackupConfig;

import java.nio.file.Path;

/** The configuration and engine of one command run; closes both. */
final class Session implements AutoCloseable {

    final BackupConfig config;
    private BackupEngine engine;

    private Session(BackupConfig config) {
        this.config = config;
    }

    static Session open(Path configFile) {
        return new Session(BackupConfig.load(configFile));
    }

    /** A configured source; an unknown name is bad usage (exit 2), naming the configured ones. */
    BackupConfig.SourceEntry requireSource(String name) {
        BackupConfig.SourceEntry s = config.sources().get(name);
        if (s == null) {
            throw new Main.UsageException("no source named '" + name + "' in the configuration; configured: "
                    + config.sources().keySet());
        }
        return s;
    }

    BackupEngine engine() {
        if (engine == null) {
            engine = config.engine();
        }
        return engine;
    }

    @Override
    public void close() {
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            config.close();
        }
    }
}
