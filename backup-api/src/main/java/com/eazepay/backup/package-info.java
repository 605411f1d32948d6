/**
 * Eazepay Backup: what applications call. Start with {@link com.eazepay.backup.Backup#engine()}; the
 * {@link com.eazepay.backup.BackupEngine} class Javadoc has a complete example. Built-in parts with no
 * heavy dependencies live here too: {@link com.eazepay.backup.FileSystemStorage},
 * {@link com.eazepay.backup.FilesSource}, {@link com.eazepay.backup.CommandSource},
 * {@link com.eazepay.backup.AgeEncryption}, {@link com.eazepay.backup.RetentionPolicy},
 * {@link com.eazepay.backup.RetryingStorage}. Every failure is a {@link com.eazepay.backup.BackupException}
 * with an {@link com.eazepay.backup.ErrorCode}.
 */
package com.eazepay.backup;
