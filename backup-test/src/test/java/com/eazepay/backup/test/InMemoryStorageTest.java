package com.eazepay.backup.test;

import com.eazepay.backup.spi.StorageTarget;

class InMemoryStorageTest extends StorageContract {

    @Override
    protected StorageTarget newStorage() {
        return InMemoryStorage.create();
    }

    @Override
    protected long largeObjectSize() {
        return 4L * 1024 * 1024; // held in memory by design
    }
}
