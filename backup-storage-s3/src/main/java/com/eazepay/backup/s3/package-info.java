/**
 * Amazon S3 (and S3-compatible) storage for Eazepay Backup: {@link com.eazepay.backup.s3.S3Storage}.
 *
 * <p>Add {@code com.eazepay.backup:backup-storage-s3} and pass
 * {@code S3Storage.bucket("eazepay-backups").region("us-east-1").build()} to the engine's
 * {@code repository(..)} or {@code replica(..)}.
 */
package com.eazepay.backup.s3;
