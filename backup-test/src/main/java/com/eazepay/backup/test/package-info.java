/**
 * The test kit, for tests of applications and plug-ins: {@link com.eazepay.backup.test.InMemoryStorage},
 * {@link com.eazepay.backup.test.FaultyStorage} (fault injection; a
 * {@link com.eazepay.backup.spi.ForwardingStorage}, so the wrapped storage's capabilities pass through),
 * {@link com.eazepay.backup.test.TestClock},
 * {@link com.eazepay.backup.test.StorageContract} (the suite every storage implementation extends; it checks
 * that wrappers pass capabilities through),
 * {@link com.eazepay.backup.test.SourceContract} (the suite every source extends: sensitivity, no secret in
 * {@code toString()}, messages, logs or manifests, foreign restore targets refused, nothing committed after a
 * mid-stream storage failure, name rules, a zstd + age round trip through the real engine). Test doubles that
 * change one call of a storage extend {@link com.eazepay.backup.spi.ForwardingStorage} (in {@code backup-api}),
 * {@link com.eazepay.backup.test.RetentionAssertions} (unit-test retention policies without storage),
 * {@link com.eazepay.backup.test.DirectoryBackupContext} and {@link com.eazepay.backup.test.DirectoryRestoreContext}
 * (drive a source through its SPI alone, its streams in plain files) and
 * {@link com.eazepay.backup.test.CuttingProxy} (a loopback TCP proxy that drops connections mid-transfer),
 * {@link com.eazepay.backup.test.StreamFilteringSource} (a real source whose streams pass through a filter on their
 * way to the engine: act mid-stream, or alter bytes before the engine hashes them).
 */
package com.eazepay.backup.test;
