package com.eazepay.backup.cli;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.config.BackupConfig;

import java.nio.file.Path;

/** The configuration and engine of one command run; closes both. */
final class Session implements AutoCloseable {

    final BackupConfig config;
    private BackupEngine engine;
    private Progress progress;

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
            engine = config.engineBuilder(repo -> new CountingStorage(repo, progress().counter()))
                    .listener(progress())
                    .build();
        }
        return engine;
    }

    /** The progress line on standard error (drawn only on a terminal). */
    Progress progress() {
        if (progress == null) {
            progress = Progress.forStandardError(new java.io.PrintWriter(System.err, true));
        }
        return progress;
    }

    /** Ends the progress line before results print. */
    void done() {
        if (progress != null) {
            progress.close();
        }
    }

    @Override
    public void close() {
        done();
        try {
            if (engine != null) {
                engine.close();
            }
        } finally {
            config.close();
        }
    }
}
