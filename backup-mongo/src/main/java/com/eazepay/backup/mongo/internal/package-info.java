/**
 * Internals of the MongoDB source: the mongodump {@code --archive} format writer and reader, CRC-64,
 * oplog replay and error mapping. No compatibility promise.
 */
package com.eazepay.backup.mongo.internal;
