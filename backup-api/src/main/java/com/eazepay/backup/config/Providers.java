package com.eazepay.backup.config;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.spi.SourceProvider;
import com.eazepay.backup.spi.StorageProvider;
import com.eazepay.backup.spi.StorageTarget;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/** The source and storage providers found through {@link ServiceLoader}, by {@code type:}. Immutable. */
final class Providers {

    /** Which artifact provides each known type, for "add ..." messages. */
    private static final Map<String, String> ARTIFACTS = Map.of(
            "postgres", "backup-postgres",
            "mongo", "backup-mongo",
            "redis", "backup-redis",
            "kubernetes", "backup-kubernetes",
            "s3", "backup-storage-s3",
            "gcs", "backup-storage-gcs");
    private static final Map<String, String> SCHEME_TYPES = Map.of("s3", "s3", "gs", "gcs", "gcs", "gcs", "file", "filesystem");

    private final Map<String, SourceProvider> sources;
    private final Map<String, StorageProvider> storages;

    private Providers(Map<String, SourceProvider> sources, Map<String, StorageProvider> storages) {
        this.sources = sources;
        this.storages = storages;
    }

    static Providers load(ClassLoader loader) {
        Map<String, SourceProvider> sources = new TreeMap<>();
        for (SourceProvider p : ServiceLoader.load(SourceProvider.class, loader)) {
            sources.putIfAbsent(p.type(), p);
        }
        Map<String, StorageProvider> storages = new TreeMap<>();
        for (StorageProvider p : ServiceLoader.load(StorageProvider.class, loader)) {
            storages.putIfAbsent(p.type(), p);
        }
        return new Providers(sources, storages);
    }

    java.util.Set<String> sourceTypes() {
        return sources.keySet();
    }

    SourceProvider source(ConfigNode typeNode) {
        String type = typeNode.asString();
        SourceProvider p = sources.get(type);
        if (p == null) {
            throw typeNode.error(unknown("source", type, sources.keySet()));
        }
        return p;
    }

    SourceProvider sourceProvider(String type) {
        SourceProvider p = sources.get(type);
        if (p == null) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, unknown("source", type, sources.keySet()));
        }
        return p;
    }

    StorageTarget storage(ConfigNode node) {
        if (node.kind() != ConfigNode.Kind.MAP) {
            throw node.error("a storage is a map of settings with a 'type:' (filesystem, s3, gcs)");
        }
        ConfigNode typeNode = node.require("type");
        String type = typeNode.asString();
        StorageProvider p = storages.get(type);
        if (p == null) {
            throw typeNode.error(unknown("storage", type, storages.keySet()));
        }
        return p.fromConfig(node);
    }

    StorageTarget storageFromLocation(String location) {
        int colon = location.indexOf(':');
        String scheme = colon > 1 ? location.substring(0, colon) : null;
        if (scheme == null || !scheme.matches("[a-zA-Z][a-zA-Z0-9+.-]*")) {
            // a plain directory path (also on Windows-like "C:" with colon at 1)
            return storages.get("filesystem").fromUrl(Path.of(location).toAbsolutePath().toUri());
        }
        for (StorageProvider p : storages.values()) {
            if (p.schemes().contains(scheme)) {
                URI uri;
                try {
                    uri = URI.create(location);
                } catch (IllegalArgumentException e) {
                    throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "'" + ConfigNode.redactUserInfo(location)
                            + "' is not a valid URL: " + e.getMessage(), e);
                }
                return p.fromUrl(uri);
            }
        }
        String type = SCHEME_TYPES.get(scheme);
        String artifact = type == null ? null : ARTIFACTS.get(type);
        throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "no storage handles '" + scheme + ":' URLs"
                + (artifact != null ? ": add com.eazepay.backup:" + artifact : "") + "; known: a directory path, "
                + storages.values().stream().flatMap(p -> p.schemes().stream()).map(s -> s + "://").sorted().toList());
    }

    private static String unknown(String kind, String type, java.util.Set<String> known) {
        String artifact = ARTIFACTS.get(type);
        return "unknown " + kind + " type '" + type + "'" + (artifact != null ? ": add com.eazepay.backup:" + artifact
                + " to the classpath (the backup-cli jar includes it)" : "") + "; types found: " + known;
    }
}
