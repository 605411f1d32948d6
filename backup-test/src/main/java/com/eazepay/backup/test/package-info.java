/**
 * The test kit, for tests of applications and plug-ins: {@link com.eazepay.backup.test.InMemoryStorage},
 * {@link com.eazepay.backup.test.FaultyStorage} (fault injection), {@link com.eazepay.backup.test.TestClock},
 * {@link com.eazepay.backup.test.StorageContract} (the suite every storage implementation extends) and
 * {@link com.eazepay.backup.test.RetentionAssertions} (unit-test retention policies without storage).
 */
package com.eazepay.backup.test;
