package com.eazepay.backup.spring.boot;

import org.springframework.boot.context.properties.ConfigurationProperties;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code eazepay.backup.*} properties: the CLI's YAML configuration under a prefix (see
 * {@link com.eazepay.backup.config.BackupConfig}). These typed fields give IDE completion and descriptions
 * for the common settings; the engine is built from the whole {@code eazepay.backup} subtree by the shared
 * configuration model, so every setting a source or storage plug-in reads (for example an S3
 * {@code endpoint} or a Redis {@code mode}) works here too, and a misspelt one is reported with where it was
 * set. Durations are written as in the YAML: {@code 30d}, {@code 12h}, {@code 1h30m} or {@code PT1H}.
 */
@ConfigurationProperties(prefix = BackupPropertyTree.PREFIX)
public class BackupProperties {

    /** Whether to auto-configure the backup engine when eazepay.backup.repository.type is set. */
    private boolean enabled = true;

    /** Where backups are stored. */
    private Storage repository = new Storage();

    /** Further copies of every committed backup, each with its own storage settings. */
    private List<Storage> replicas = new ArrayList<>();

    /** age encryption of every stored stream. */
    private Encryption encryption = new Encryption();

    /** Compression before encryption: zstd (default), gzip or none. */
    private String compression;

    /** Allow encryption.none for sources that hold sensitive data (PostgreSQL, MongoDB, Redis). */
    private boolean allowUnencryptedSensitiveData;

    /** Default recovery objectives of every source. */
    private Objectives objectives = new Objectives();

    /** Sources by name (the name is the source's name in the repository). */
    private Map<String, Source> sources = new LinkedHashMap<>();

    /** The scheduler of the sources' schedules. */
    private Scheduler scheduler = new Scheduler();

    public Scheduler getScheduler() {
        return scheduler;
    }

    public void setScheduler(Scheduler scheduler) {
        this.scheduler = scheduler;
    }

    /** The scheduler, started with the application context and stopped when it closes. */
    public static class Scheduler {

        /** Whether to start the scheduler with the application context (false: run jobs yourself). */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }

    public boolean isEnabled() {
        return enabled;
    }

    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    public Storage getRepository() {
        return repository;
    }

    public void setRepository(Storage repository) {
        this.repository = repository;
    }

    public List<Storage> getReplicas() {
        return replicas;
    }

    public void setReplicas(List<Storage> replicas) {
        this.replicas = replicas;
    }

    public Encryption getEncryption() {
        return encryption;
    }

    public void setEncryption(Encryption encryption) {
        this.encryption = encryption;
    }

    public String getCompression() {
        return compression;
    }

    public void setCompression(String compression) {
        this.compression = compression;
    }

    public boolean isAllowUnencryptedSensitiveData() {
        return allowUnencryptedSensitiveData;
    }

    public void setAllowUnencryptedSensitiveData(boolean allowUnencryptedSensitiveData) {
        this.allowUnencryptedSensitiveData = allowUnencryptedSensitiveData;
    }

    public Objectives getObjectives() {
        return objectives;
    }

    public void setObjectives(Objectives objectives) {
        this.objectives = objectives;
    }

    public Map<String, Source> getSources() {
        return sources;
    }

    public void setSources(Map<String, Source> sources) {
        this.sources = sources;
    }

    /** A storage target: the repository or a replica. */
    public static class Storage {

        /** Storage type: filesystem, s3 (backup-storage-s3) or gcs (backup-storage-gcs). */
        private String type;

        /** filesystem: the repository directory. */
        private String path;

        /** s3, gcs: the bucket. */
        private String bucket;

        /** s3, gcs: key prefix inside the bucket. */
        private String prefix;

        /** s3: the region, e.g. eu-west-1. */
        private String region;

        /** s3, gcs: storage class of stored objects, e.g. STANDARD_IA or NEARLINE. */
        private String storageClass;

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getBucket() {
            return bucket;
        }

        public void setBucket(String bucket) {
            this.bucket = bucket;
        }

        public String getPrefix() {
            return prefix;
        }

        public void setPrefix(String prefix) {
            this.prefix = prefix;
        }

        public String getRegion() {
            return region;
        }

        public void setRegion(String region) {
            this.region = region;
        }

        public String getStorageClass() {
            return storageClass;
        }

        public void setStorageClass(String storageClass) {
            this.storageClass = storageClass;
        }
    }

    /** age encryption: recipients to back up, an identity to restore and verify contents. */
    public static class Encryption {

        /** age public keys (age1...) every backup is encrypted to: enough to back up, not to restore. */
        private List<String> recipients = new ArrayList<>();

        /** File holding the age identity (private key), needed to restore; keep it 0600. */
        private String identityFile;

        /** Environment variable holding the age identity (private key). */
        private String identityEnv;

        /** Store plaintext on purpose (no other encryption setting allowed). */
        private boolean none;

        public List<String> getRecipients() {
            return recipients;
        }

        public void setRecipients(List<String> recipients) {
            this.recipients = recipients;
        }

        public String getIdentityFile() {
            return identityFile;
        }

        public void setIdentityFile(String identityFile) {
            this.identityFile = identityFile;
        }

        public String getIdentityEnv() {
            return identityEnv;
        }

        public void setIdentityEnv(String identityEnv) {
            this.identityEnv = identityEnv;
        }

        public boolean isNone() {
            return none;
        }

        public void setNone(boolean none) {
            this.none = none;
        }
    }

    /** Recovery objectives. */
    public static class Objectives {

        /** Recovery point objective: the longest acceptable time since the last good backup, e.g. 24h. */
        private String rpo;

        /** Recovery time objective: the longest acceptable restore time, e.g. 4h. */
        private String rto;

        public String getRpo() {
            return rpo;
        }

        public void setRpo(String rpo) {
            this.rpo = rpo;
        }

        public String getRto() {
            return rto;
        }

        public void setRto(String rto) {
            this.rto = rto;
        }
    }

    /**
     * One source. Settings beyond these are the plug-in's own (see each module's README) and are passed
     * through unchanged.
     */
    public static class Source {

        /** Source type: files, command, postgres (backup-postgres), mongo (backup-mongo), redis (backup-redis). */
        private String type;

        /** files: files and directories to back up. */
        private List<String> paths = new ArrayList<>();

        /** postgres: JDBC URL; when no connection setting is given, the application's DataSource is used. */
        private String jdbcUrl;

        /** postgres, mongo, redis: server host. */
        private String host;

        /** postgres, mongo, redis: server port. */
        private Integer port;

        /** postgres: database name. */
        private String database;

        /** postgres, mongo, redis: user name. */
        private String user;

        /** postgres, mongo, redis: password (prefer ${ENV} or a secret store). */
        private String password;

        /** mongo: connection string; when no connection setting is given, the application's MongoDB connection is used. */
        private String connectionString;

        /** redis: redis:// URI; when no connection setting is given, the application's Redis connection is used. */
        private String uri;

        /** Retention of this source's backups (restic forget semantics). */
        private Retention retention = new Retention();

        /** This source's recovery objectives (defaults: eazepay.backup.objectives). */
        private Objectives objectives = new Objectives();

        /**
         * When the scheduler backs this source up: Unix cron in UTC ("0 2 * * *"), "every 6h" or PT6H.
         * Replicas of the application sharing the repository run each slot once.
         */
        private String schedule;

        public String getSchedule() {
            return schedule;
        }

        public void setSchedule(String schedule) {
            this.schedule = schedule;
        }

        public String getType() {
            return type;
        }

        public void setType(String type) {
            this.type = type;
        }

        public List<String> getPaths() {
            return paths;
        }

        public void setPaths(List<String> paths) {
            this.paths = paths;
        }

        public String getJdbcUrl() {
            return jdbcUrl;
        }

        public void setJdbcUrl(String jdbcUrl) {
            this.jdbcUrl = jdbcUrl;
        }

        public String getHost() {
            return host;
        }

        public void setHost(String host) {
            this.host = host;
        }

        public Integer getPort() {
            return port;
        }

        public void setPort(Integer port) {
            this.port = port;
        }

        public String getDatabase() {
            return database;
        }

        public void setDatabase(String database) {
            this.database = database;
        }

        public String getUser() {
            return user;
        }

        public void setUser(String user) {
            this.user = user;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getConnectionString() {
            return connectionString;
        }

        public void setConnectionString(String connectionString) {
            this.connectionString = connectionString;
        }

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        public Retention getRetention() {
            return retention;
        }

        public void setRetention(Retention retention) {
            this.retention = retention;
        }

        public Objectives getObjectives() {
            return objectives;
        }

        public void setObjectives(Objectives objectives) {
            this.objectives = objectives;
        }
    }

    /** Retention rules; ORed; buckets in UTC unless zone is set. */
    public static class Retention {

        /** Keep the newest n backups. */
        private Integer keepLast;

        /** Keep the newest backup of each of the n most recent hours that have one. */
        private Integer keepHourly;

        /** Keep the newest backup of each of the n most recent days that have one. */
        private Integer keepDaily;

        /** Keep the newest backup of each of the n most recent ISO weeks that have one. */
        private Integer keepWeekly;

        /** Keep the newest backup of each of the n most recent months that have one. */
        private Integer keepMonthly;

        /** Keep the newest backup of each of the n most recent years that have one. */
        private Integer keepYearly;

        /** Keep every backup within this duration of the newest one, e.g. 7d. */
        private String keepWithin;

        /** Keep backups carrying any of these tags. */
        private List<String> keepTagged = new ArrayList<>();

        /** Time zone of the day/week/month buckets, e.g. Europe/Berlin (default UTC). */
        private String zone;

        public Integer getKeepLast() {
            return keepLast;
        }

        public void setKeepLast(Integer keepLast) {
            this.keepLast = keepLast;
        }

        public Integer getKeepHourly() {
            return keepHourly;
        }

        public void setKeepHourly(Integer keepHourly) {
            this.keepHourly = keepHourly;
        }

        public Integer getKeepDaily() {
            return keepDaily;
        }

        public void setKeepDaily(Integer keepDaily) {
            this.keepDaily = keepDaily;
        }

        public Integer getKeepWeekly() {
            return keepWeekly;
        }

        public void setKeepWeekly(Integer keepWeekly) {
            this.keepWeekly = keepWeekly;
        }

        public Integer getKeepMonthly() {
            return keepMonthly;
        }

        public void setKeepMonthly(Integer keepMonthly) {
            this.keepMonthly = keepMonthly;
        }

        public Integer getKeepYearly() {
            return keepYearly;
        }

        public void setKeepYearly(Integer keepYearly) {
            this.keepYearly = keepYearly;
        }

        public String getKeepWithin() {
            return keepWithin;
        }

        public void setKeepWithin(String keepWithin) {
            this.keepWithin = keepWithin;
        }

        public List<String> getKeepTagged() {
            return keepTagged;
        }

        public void setKeepTagged(List<String> keepTagged) {
            this.keepTagged = keepTagged;
        }

        public String getZone() {
            return zone;
        }

        public void setZone(String zone) {
            this.zone = zone;
        }
    }
}
