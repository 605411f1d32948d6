package com.eazepay.backup.s3;

import com.eazepay.backup.spi.StorageTarget;
import com.eazepay.backup.test.StorageContract;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared storage contract, against S3Proxy in-process, without and with a key prefix. */
class S3StorageContractTest extends StorageContract {

    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension();

    @Override
    protected StorageTarget newStorage() {
        return S3.freshBucketStorage(b -> b.prefix("prod/eazepay"));
    }
}
