/**
 * Redis backups: {@link com.eazepay.backup.redis.RedisSource} captures a point-in-time RDB snapshot
 * over the replication protocol (or dumps keys one by one where replication is disabled), and
 * {@link com.eazepay.backup.redis.RedisTarget} restores into an RDB file or a live server.
 */
package com.eazepay.backup.redis;
