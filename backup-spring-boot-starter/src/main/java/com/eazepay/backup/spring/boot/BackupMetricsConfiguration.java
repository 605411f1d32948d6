package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.micrometer.BackupMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * backup-micrometer wiring when the application has a {@link MeterRegistry}: one {@link BackupMetrics}
 * bean, which the engine takes as a listener and Spring Boot binds to every registry as a
 * {@code MeterBinder}; at start-up it reads the last success of every source from the repository and the
 * configured RPO objectives.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry", "com.eazepay.backup.micrometer.BackupMetrics"})
@ConditionalOnBean(type = "io.micrometer.core.instrument.MeterRegistry")
class BackupMetricsConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BackupMetricsConfiguration.class);

    @Bean
    @ConditionalOnMissingBean
    BackupMetrics backupMetrics() {
        return BackupMetrics.create();
    }

    @Bean
    SmartInitializingSingleton backupMetricsFromRepository(BackupMetrics metrics, ObjectProvider<BackupEngine> engine,
                                                           ObjectProvider<BackupConfig> config) {
        return () -> {
            BackupConfig c = config.getIfUnique();
            if (c != null) {
                c.sources().values().stream().filter(s -> s.objectives().rpo() != null)
                        .forEach(s -> metrics.objective(s.name(), s.objectives().rpo()));
            }
            BackupEngine e = engine.getIfUnique();
            if (e == null) {
                return;
            }
            try {
                metrics.readRepository(e);
            } catch (BackupException ex) {
                LOG.warn("backup metrics: could not read the latest backups from {} at start-up ({}): {}",
                        e.describeRepository(), ex.errorCode(), ex.getMessage());
            }
        };
    }
}
