package com.eazepay.backup.spring.boot;

import com.eazepay.backup.BackupEngineBuilder;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupListener;
import com.eazepay.backup.config.BackupConfig;
import com.eazepay.backup.config.ConfigNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Auto-configures a {@link BackupEngine} from the {@code eazepay.backup.*} properties when
 * {@code eazepay.backup.repository.type} is set: the properties are read into the configuration model the
 * CLI's YAML uses ({@link BackupConfig}), sources of type postgres, mongo or redis that declare no
 * connection of their own take the application's ({@link BackupConnectionDefaults}), and every
 * {@link BackupListener} bean (the starter's {@link BackupStatus}, backup-micrometer's {@code BackupMetrics}
 * when a {@code MeterRegistry} exists, the application's own) receives the engine's events. The engine and
 * the storage clients the configuration created are closed when the context closes.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.autoconfigure.jdbc.DataSourceAutoConfiguration",
        "org.springframework.boot.autoconfigure.mongo.MongoAutoConfiguration",
        "org.springframework.boot.autoconfigure.data.redis.RedisAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.MetricsAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.actuate.autoconfigure.metrics.export.prometheus.PrometheusMetricsExportAutoConfiguration"})
@Conditional(OnBackupConfiguredCondition.class)
@EnableConfigurationProperties(BackupProperties.class)
@Import({BackupConnectionConfigurations.Jdbc.class, BackupConnectionConfigurations.Mongo.class,
        BackupConnectionConfigurations.Redis.class, BackupMetricsConfiguration.class, BackupActuatorConfiguration.class})
public class BackupAutoConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(BackupAutoConfiguration.class);

    /** Settings of the properties tree that the starter reads, not the configuration model. */
    private static final List<String> STARTER_KEYS = List.of("enabled", "scheduler");

    @Bean
    @ConditionalOnMissingBean
    public BackupStatus backupStatus() {
        return new BackupStatus();
    }

    /**
     * The configuration model built from {@code eazepay.backup.*}; closing it closes the storage clients it created.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} listing every problem with the property and where it was set
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public BackupConfig backupConfig(Environment environment, ObjectProvider<BackupConnectionDefaults> connections) {
        Map<String, Object> tree = new LinkedHashMap<>(BackupPropertyTree.read(environment));
        tree.keySet().removeIf(k -> STARTER_KEYS.stream().anyMatch(s -> BackupPropertyTree.relaxed(s).equals(BackupPropertyTree.relaxed(k))));
        applyConnectionDefaults(tree, connections.orderedStream().toList());
        ConfigNode root = ConfigNode.tree(BackupPropertyTree.PREFIX, "Spring properties " + BackupPropertyTree.PREFIX + ".*", tree);
        return BackupConfig.fromTree(root, BackupAutoConfiguration.class.getClassLoader());
    }

    /** The engine; closed when the context closes (it closes nothing the configuration created: that is {@link #backupConfig}'s). */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    public BackupEngine backupEngine(BackupConfig config, ObjectProvider<BackupListener> listeners, BackupStatus status) {
        BackupEngineBuilder builder = config.engineBuilder();
        List<BackupListener> all = new ArrayList<>(listeners.orderedStream().toList());
        if (!all.contains(status)) {
            all.add(0, status);
        }
        all.forEach(builder::listener);
        BackupEngine engine = builder.build();
        try {
            status.readRepository(engine);
        } catch (BackupException e) {
            // the service starts; health shows the sources as unknown until a backup runs or the repository answers
            LOG.warn("could not read the latest backups from {} at start-up ({}): {}", engine.describeRepository(),
                    e.errorCode(), e.getMessage());
        }
        LOG.info("backup engine ready: repository {}, sources {}", engine.describeRepository(), engine.sourceNames());
        return engine;
    }

    /**
     * Starts the engine's scheduler with the context and closes it first when the context closes (no new
     * job starts; running backups finish per the engine's shutdown policy). Off with
     * {@code eazepay.backup.scheduler.enabled=false}.
     */
    @Bean
    @ConditionalOnMissingBean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(prefix = "eazepay.backup.scheduler",
            name = "enabled", matchIfMissing = true)
    public BackupSchedulerLifecycle backupSchedulerLifecycle(BackupEngine engine) {
        return new BackupSchedulerLifecycle(engine);
    }

    @SuppressWarnings("unchecked")
    static void applyConnectionDefaults(Map<String, Object> tree, List<BackupConnectionDefaults> connections) {
        Object sources = BackupPropertyTree.get(tree, "sources");
        if (!(sources instanceof Map<?, ?> byName) || connections.isEmpty()) {
            return;
        }
        for (Map.Entry<String, Object> e : ((Map<String, Object>) byName).entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> raw)) {
                continue;
            }
            Map<String, Object> settings = (Map<String, Object>) raw;
            Object type = BackupPropertyTree.get(settings, "type");
            if (!(type instanceof ConfigNode.Leaf typeLeaf)) {
                continue;
            }
            for (BackupConnectionDefaults c : connections) {
                if (!c.type().equals(typeLeaf.text()) || BackupPropertyTree.hasAny(settings, c.connectionKeys())) {
                    continue;
                }
                Map<String, ConfigNode.Leaf> add = c.settings();
                if (add.isEmpty()) {
                    LOG.info("source {} (type {}) has no connection settings and {} gives none: it needs its own",
                            e.getKey(), c.type(), c.describe());
                    continue;
                }
                Map<String, Object> withDefaults = new LinkedHashMap<>(settings);
                withDefaults.putAll(add);
                e.setValue(withDefaults);
                LOG.info("source {} connects with the settings of {}", e.getKey(), c.describe());
                break;
            }
        }
    }
}
