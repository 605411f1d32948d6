/**
 * Implementation of the Redis plug-in: RESP client, replication payload framing, streaming RDB
 * parser, CRC-64, key-dump format. No compatibility promise: may change in any release.
 */
package com.eazepay.backup.redis.internal;
