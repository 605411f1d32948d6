/**
 * MongoDB backups in the mongodump {@code --archive} format: {@link com.eazepay.backup.mongo.MongoSource}
 * reads collections as raw BSON with the MongoDB Java driver, captures options, indexes and (on a
 * replica set) the oplog slice written during the backup; {@link com.eazepay.backup.mongo.MongoTarget}
 * says where a restore goes; {@link com.eazepay.backup.mongo.Check} adds post-restore assertions.
 */
package com.eazepay.backup.mongo;
