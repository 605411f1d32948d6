package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.MongoCredential;
import com.mongodb.ServerAddress;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How to reach a server: a connection string (kept as a {@link Secret}, it may hold credentials) or
 * host and port, plus optional credentials. {@link #toString()} shows hosts only.
 */
final class Connection {

    private final Secret connectionString;
    private final String host;
    private final int port;
    private final String user;
    private final Secret password;
    private final String authDatabase;
    private final Duration serverSelectionTimeout;

    Connection(Secret connectionString, String host, int port, String user, Secret password, String authDatabase,
               Duration serverSelectionTimeout) {
        if (connectionString == null && host == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                    "no MongoDB server configured: call connectionString(..) or host(..)");
        }
        if (connectionString != null) {
            try {
                new ConnectionString(connectionString.reveal());
            } catch (IllegalArgumentException e) {
                // the driver's message may quote the string, which may hold a password: do not chain it
                throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION,
                        "the MongoDB connection string is not valid (expected mongodb://host:port/...)");
            }
        }
        if (user != null && password == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "user '" + user + "' given without password(..)");
        }
        this.connectionString = connectionString;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.authDatabase = authDatabase == null ? "admin" : authDatabase;
        this.serverSelectionTimeout = serverSelectionTimeout;
    }

    static Connection of(String connectionString) {
        return new Connection(Secret.of(connectionString), null, 0, null, null, null, Duration.ofSeconds(10));
    }

    Connection withCredentials(String user, Secret password, String authDatabase) {
        return new Connection(connectionString, host, port, user, password, authDatabase, serverSelectionTimeout);
    }

    String user() {
        return user;
    }

    MongoClient open() {
        MongoClientSettings.Builder b = MongoClientSettings.builder();
        if (connectionString != null) {
            b.applyConnectionString(new ConnectionString(connectionString.reveal()));
        } else {
            b.applyToClusterSettings(c -> c.hosts(List.of(new ServerAddress(host, port))));
        }
        if (user != null) {
            b.credential(MongoCredential.createCredential(user, authDatabase, password.revealChars()));
        }
        long ms = serverSelectionTimeout.toMillis();
        b.applyToClusterSettings(c -> c.serverSelectionTimeout(ms, TimeUnit.MILLISECONDS));
        b.applyToSocketSettings(s -> s.connectTimeout((int) Math.min(ms, Integer.MAX_VALUE), TimeUnit.MILLISECONDS));
        return MongoClients.create(b.build());
    }

    /** Credential-free {@code host:port[,host:port]}. */
    String hosts() {
        if (connectionString != null) {
            return String.join(",", new ConnectionString(connectionString.reveal()).getHosts());
        }
        return host + ":" + port;
    }

    /** Credential-free {@code mongodb://hosts/db}. */
    String describe(String database) {
        return "mongodb://" + hosts() + "/" + (database == null ? "" : database);
    }

    @Override
    public String toString() {
        return describe(null) + (user == null ? "" : " as " + user + "@" + authDatabase);
    }
}
