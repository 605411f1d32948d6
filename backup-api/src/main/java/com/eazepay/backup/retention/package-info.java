/**
 * Retention as a pure function: {@link com.eazepay.backup.retention.RetentionPolicy#plan} turns a list of
 * {@link com.eazepay.backup.retention.BackupInfo} into a {@link com.eazepay.backup.retention.RetentionPlan}
 * (kept and removed, each with reasons), with restic's {@code forget} semantics. The engine's
 * {@code prune()} applies plans to a repository. See docs/retention.md.
 */
package com.eazepay.backup.retention;
