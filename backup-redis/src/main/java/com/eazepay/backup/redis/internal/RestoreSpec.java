package com.eazepay.backup.redis.internal;

import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * Settings of a {@code RedisTarget}: exactly one of {@code file} and {@code endpoint} is set.
 * {@link #toString()} shows no password (the endpoint's redacts it).
 *
 * @param fileMode  permissions of a restored RDB file, or null for 0600
 * @param owner     owner (user name) of a restored RDB file, or null to keep the restoring user
 * @param group     group of a restored RDB file, or null to keep the default
 */
public record RestoreSpec(Path file, boolean overwriteFile, RedisEndpoint endpoint, boolean replaceExisting, int batchSize,
                          Set<PosixFilePermission> fileMode, String owner, String group) {

    public RestoreSpec {
        fileMode = fileMode == null ? null : Set.copyOf(fileMode);
    }

    public RestoreSpec(Path file, boolean overwriteFile, RedisEndpoint endpoint, boolean replaceExisting, int batchSize) {
        this(file, overwriteFile, endpoint, replaceExisting, batchSize, null, null, null);
    }
}
