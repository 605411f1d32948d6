package com.eazepay.backup.redis.internal;

/** Test access to package-private helpers. */
final class RedisRestoreAccess {
    private RedisRestoreAccess() {
    }

    static byte[] payload(byte[] typeAndValue, int version) {
        return RedisRestore.payload(typeAndValue, version);
    }
}
