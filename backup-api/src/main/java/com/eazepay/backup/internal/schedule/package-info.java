/**
 * The scheduler behind {@link com.eazepay.backup.BackupEngine#scheduler()}: slot leases, slot
 * records, catch-up, objectives and the status snapshot. Internal: may change in any release.
 */
package com.eazepay.backup.internal.schedule;
