package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.Objects;

/**
 * Runs the engine's scheduler while the application context runs: started after every bean is ready,
 * stopped (before the engine bean is destroyed) when the context closes. Stopping closes the scheduler:
 * no new job starts, running jobs finish or are aborted per the engine's shutdown policy; a closed
 * scheduler cannot be restarted, so a stopped context is not restarted with it.
 */
public final class BackupSchedulerLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(BackupSchedulerLifecycle.class);

    private final BackupEngine engine;
    private volatile boolean running;

    public BackupSchedulerLifecycle(BackupEngine engine) {
        this.engine = Objects.requireNonNull(engine, "engine");
    }

    @Override
    public void start() {
        engine.scheduler().start();
        running = true;
        LOG.debug("backup scheduler started");
    }

    @Override
    public void stop() {
        running = false;
        engine.scheduler().close();
        LOG.debug("backup scheduler stopped");
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
