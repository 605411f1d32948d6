package com.eazepay.backup.redis.internal;

import java.nio.file.Path;

/**
 * Settings of a {@code RedisTarget}: exactly one of {@code file} and {@code endpoint} is set.
 * {@link #toString()} shows no password (the endpoint's redacts it).
 */
public record RestoreSpec(Path file, boolean overwriteFile, RedisEndpoint endpoint, boolean replaceExisting, int batchSize) {
}
