/**
 * Google Cloud Storage as a backup repository: {@link com.eazepay.backup.gcs.GcsStorage}, a
 * {@link com.eazepay.backup.spi.StorageTarget} that streams uploads through resumable sessions,
 * reads ranges, lists by prefix, and respects object holds and retention locks.
 */
package com.eazepay.backup.gcs;
