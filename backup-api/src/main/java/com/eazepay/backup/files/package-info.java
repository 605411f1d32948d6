/**
 * Files and programs as sources and targets: {@link com.eazepay.backup.files.FilesSource} (directories,
 * env files, certificates as POSIX tar) restored by {@link com.eazepay.backup.files.FilesTarget};
 * {@link com.eazepay.backup.files.CommandSource} (any program writing to stdout) restored by
 * {@link com.eazepay.backup.files.StreamTarget} (a file or a program fed the verified bytes).
 */
package com.eazepay.backup.files;
