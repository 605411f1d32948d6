/**
 * PostgreSQL backups with {@code pg_dump}/{@code pg_restore}: {@link com.eazepay.backup.postgres.PostgresSource}
 * takes a consistent custom-format dump (from an exported snapshot, with exact per-table row counts recorded as
 * manifest facts), {@link com.eazepay.backup.postgres.PostgresTarget} says where a restore goes (a new database by
 * default), and {@link com.eazepay.backup.postgres.Check} adds SQL assertions run after a restore.
 */
package com.eazepay.backup.postgres;
