/**
 * Implementation details of the PostgreSQL plug-in: connection settings, {@code pg_dump}/{@code pg_restore}
 * discovery and child-process handling. No compatibility promise: may change in any release.
 */
package com.eazepay.backup.postgres.internal;
