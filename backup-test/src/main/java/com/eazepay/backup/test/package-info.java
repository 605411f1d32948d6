/**
 * The test kit, for tests of applications and plug-ins: {@link com.eazepay.backup.test.InMemoryStorage},
 * {@link com.eazepay.backup.test.FaultyStorage} (fault injection), {@link com.eazepay.backup.test.TestClock},
 * {@link com.eazepay.backup.test.StorageContract} (the suite every storage implementation extends),
 * {@link com.eazepay.backup.test.SourceContract} (the suite every source extends: sensitivity, no secret in
 * {@code toString()}, messages, logs or manifests, foreign restore targets refused, nothing committed after a
 * mid-stream storage failure, name rules, a zstd + age round trip through the real engine),
 * {@link com.eazepay.backup.test.RetentionAssertions} (unit-test retention policies without storage),
 * {@link com.eazepay.backup.test.DirectoryBackupContext} and {@link com.eazepay.backup.test.DirectoryRestoreContext}
 * (drive a source through its SPI alone, its streams in plain files) and
 * {@link com.eazepay.backup.test.CuttingProxy} (a loopback TCP proxy that drops connections mid-transfer).
 */
package com.eazepay.backup.test;
