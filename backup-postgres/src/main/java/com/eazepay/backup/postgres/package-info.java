/**
 * PostgreSQL backups with {@code pg_dump}/{@code pg_restore}: {@link com.eazepay.backup.postgres.PostgresSource}
 * takes a consistent custom-format dump (from an exported snapshot, with exact per-table row counts recorded as
 * manifest facts), {@link com.eazepay.backup.postgres.PostgresTarget} says where a restore goes (a new database by
 * default), and {@link com.eazepay.backup.postgres.Check} adds SQL assertions run after a restore.
 *
 * <p>Point-in-time recovery: {@link com.eazepay.backup.postgres.PostgresBaseBackupSource} streams
 * {@code pg_basebackup} tar base backups; {@link com.eazepay.backup.postgres.WalArchive} stores every WAL file
 * (compressed, encrypted, committed by its own record under the reserved {@code wal/} folder), fed by a managed
 * {@code pg_receivewal} ({@link com.eazepay.backup.postgres.WalReceiver}) or by {@code archive_command};
 * {@link com.eazepay.backup.postgres.PostgresPitr} restores into a {@link com.eazepay.backup.postgres.PitrTarget}
 * up to a {@link com.eazepay.backup.postgres.RecoveryTarget} after {@link com.eazepay.backup.postgres.WalChain}
 * checked the chain; {@link com.eazepay.backup.postgres.WalRetention} keeps the WAL that kept base backups need.
 */
package com.eazepay.backup.postgres;
