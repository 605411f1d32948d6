package com.eazepay.backup.spring.boot;

import com.eazepay.backup.config.ConfigNode;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.data.redis.RedisConnectionDetails;
import org.springframework.boot.autoconfigure.jdbc.JdbcConnectionDetails;
import org.springframework.boot.autoconfigure.mongo.MongoConnectionDetails;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.ClassUtils;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@link BackupConnectionDefaults} from the application's own connections: its {@code DataSource} for
 * PostgreSQL sources, its MongoDB connection for mongo sources, its Spring Data Redis connection for redis
 * sources. Each is read when the engine is built and only for a source that declares no connection.
 */
final class BackupConnectionConfigurations {

    private static final String SPRING = "Spring ";

    private BackupConnectionConfigurations() {
    }

    private static ConfigNode.Leaf value(String text, String origin) {
        return new ConfigNode.Leaf(text, origin, 0, 0, false);
    }

    private static ConfigNode.Leaf secret(String text, String origin) {
        return new ConfigNode.Leaf(text, origin, 0, 0, true);
    }

    /** PostgreSQL: JDBC URL, user and password of the application's {@code DataSource}. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(DataSource.class)
    static class Jdbc {

        @Bean
        BackupConnectionDefaults backupPostgresConnection(ObjectProvider<JdbcConnectionDetails> details,
                                                          ObjectProvider<DataSource> dataSource) {
            return new BackupConnectionDefaults() {
                @Override
                public String type() {
                    return "postgres";
                }

                @Override
                public Set<String> connectionKeys() {
                    return Set.of("jdbcUrl", "host", "port", "database", "user", "password");
                }

                @Override
                public Map<String, ConfigNode.Leaf> settings() {
                    JdbcConnectionDetails d = details.getIfUnique();
                    if (d != null && isPostgres(d.getJdbcUrl())) {
                        return jdbc(d.getJdbcUrl(), d.getUsername(), d.getPassword(), "the application's JDBC connection details");
                    }
                    DataSource ds = dataSource.getIfUnique();
                    return ds == null ? Map.of() : fromDataSource(ds);
                }

                @Override
                public String describe() {
                    return "the application's DataSource";
                }
            };
        }

        private static Map<String, ConfigNode.Leaf> fromDataSource(DataSource ds) {
            String origin = "the application's DataSource";
            try {
                if (ClassUtils.isPresent("com.zaxxer.hikari.HikariDataSource", Jdbc.class.getClassLoader())) {
                    com.zaxxer.hikari.HikariDataSource h = unwrap(ds, com.zaxxer.hikari.HikariDataSource.class);
                    if (h != null && isPostgres(h.getJdbcUrl())) {
                        return jdbc(h.getJdbcUrl(), h.getUsername(), h.getPassword(), origin);
                    }
                }
                if (ClassUtils.isPresent("org.postgresql.ds.common.BaseDataSource", Jdbc.class.getClassLoader())) {
                    org.postgresql.ds.common.BaseDataSource pg = unwrap(ds, org.postgresql.ds.common.BaseDataSource.class);
                    if (pg != null && pg.getServerNames().length > 0 && pg.getDatabaseName() != null) {
                        // getUrl() lists every driver property; the source needs host, port and database
                        int port = pg.getPortNumbers().length > 0 && pg.getPortNumbers()[0] > 0 ? pg.getPortNumbers()[0] : 5432;
                        String url = "jdbc:postgresql://" + pg.getServerNames()[0] + ":" + port + "/" + pg.getDatabaseName();
                        return jdbc(url, pg.getUser(), pg.getPassword(), origin);
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot read the connection settings of the application's DataSource: " + e.getMessage(), e);
            }
            return Map.of();
        }

        private static <T> T unwrap(DataSource ds, Class<T> type) throws SQLException {
            if (type.isInstance(ds)) {
                return type.cast(ds);
            }
            return ds.isWrapperFor(type) ? ds.unwrap(type) : null;
        }

        private static boolean isPostgres(String url) {
            return url != null && url.startsWith("jdbc:postgresql:");
        }

        private static Map<String, ConfigNode.Leaf> jdbc(String url, String user, String password, String origin) {
            Map<String, ConfigNode.Leaf> out = new LinkedHashMap<>();
            // a JDBC URL may carry ?password=...: treat the whole URL as a credential
            out.put("jdbcUrl", secret(url, origin));
            if (user != null && !user.isEmpty()) {
                out.put("user", value(user, origin));
            }
            if (password != null && !password.isEmpty()) {
                out.put("password", secret(password, origin));
            }
            return out;
        }
    }

    /** MongoDB: the connection string of the application's MongoDB connection details, or its client's first host. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "com.mongodb.client.MongoClient")
    static class Mongo {

        @Bean
        BackupConnectionDefaults backupMongoConnection(ObjectProvider<MongoConnectionDetails> details,
                                                       ObjectProvider<com.mongodb.client.MongoClient> client) {
            return new BackupConnectionDefaults() {
                @Override
                public String type() {
                    return "mongo";
                }

                @Override
                public Set<String> connectionKeys() {
                    return Set.of("connectionString", "host", "port", "user", "password");
                }

                @Override
                public Map<String, ConfigNode.Leaf> settings() {
                    MongoConnectionDetails d = details.getIfUnique();
                    if (d != null && d.getConnectionString() != null) {
                        return Map.of("connectionString", secret(d.getConnectionString().getConnectionString(),
                                "the application's MongoDB connection details"));
                    }
                    com.mongodb.client.MongoClient c = client.getIfUnique();
                    if (c != null && !c.getClusterDescription().getClusterSettings().getHosts().isEmpty()) {
                        // the client does not reveal its credentials: a user and password still have to be set on the source
                        com.mongodb.ServerAddress a = c.getClusterDescription().getClusterSettings().getHosts().get(0);
                        String origin = "the application's MongoClient";
                        return Map.of("host", value(a.getHost(), origin), "port", value(String.valueOf(a.getPort()), origin));
                    }
                    return Map.of();
                }

                @Override
                public String describe() {
                    return "the application's MongoDB connection";
                }
            };
        }
    }

    /** Redis: host, port, user and password of the application's Spring Data Redis connection (standalone only). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.springframework.data.redis.connection.RedisConnectionFactory")
    static class Redis {

        @Bean
        BackupConnectionDefaults backupRedisConnection(ObjectProvider<RedisConnectionDetails> details) {
            return new BackupConnectionDefaults() {
                @Override
                public String type() {
                    return "redis";
                }

                @Override
                public Set<String> connectionKeys() {
                    return Set.of("uri", "host", "port", "user", "password");
                }

                @Override
                public Map<String, ConfigNode.Leaf> settings() {
                    RedisConnectionDetails d = details.getIfUnique();
                    if (d == null || d.getStandalone() == null) {
                        return Map.of(); // sentinel and cluster set-ups: the source names the server to replicate from
                    }
                    String origin = SPRING + "Data Redis connection details";
                    Map<String, ConfigNode.Leaf> out = new LinkedHashMap<>();
                    out.put("host", value(d.getStandalone().getHost(), origin));
                    out.put("port", value(String.valueOf(d.getStandalone().getPort()), origin));
                    if (d.getUsername() != null && !d.getUsername().isEmpty()) {
                        out.put("user", value(d.getUsername(), origin));
                    }
                    if (d.getPassword() != null && !d.getPassword().isEmpty()) {
                        out.put("password", secret(d.getPassword(), origin));
                    }
                    return out;
                }

                @Override
                public String describe() {
                    return "the application's Redis connection";
                }
            };
        }
    }
}
