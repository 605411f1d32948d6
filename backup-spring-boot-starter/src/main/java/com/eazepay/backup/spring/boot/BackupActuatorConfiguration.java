package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.config.BackupConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** The {@code backups} Actuator endpoint and health indicator, when Spring Boot Actuator is present. */
@Configuration(proxyBeanMethods = false)
@ConditionalOnClass(name = "org.springframework.boot.actuate.endpoint.annotation.Endpoint")
class BackupActuatorConfiguration {

    @Bean
    @ConditionalOnMissingBean
    @ConditionalOnAvailableEndpoint
    BackupsEndpoint backupsEndpoint(BackupEngine engine, BackupStatus status, ObjectProvider<BackupConfig> config) {
        return new BackupsEndpoint(engine, status, config.getIfUnique());
    }

    @Bean
    @ConditionalOnMissingBean(name = "backupsHealthIndicator")
    @ConditionalOnEnabledHealthIndicator("backups")
    BackupHealthIndicator backupsHealthIndicator(BackupEngine engine, BackupStatus status, ObjectProvider<BackupConfig> config,
                                                 ObjectProvider<Clock> clock) {
        return new BackupHealthIndicator(engine, status, config.getIfUnique(), clock.getIfUnique(Clock::systemUTC));
    }
}
