package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.mongodb.MongoCommandException;
import com.mongodb.MongoException;
import com.mongodb.MongoInterruptedException;
import com.mongodb.MongoSecurityException;
import com.mongodb.MongoSocketException;
import com.mongodb.MongoTimeoutException;

/** Maps driver exceptions to {@link BackupException}s with credential-free messages. */
final class MongoErrors {

    private MongoErrors() {
    }

    static BackupException map(MongoException e, Connection connection, String doing) {
        String where = connection.describe(null);
        if (e instanceof MongoSecurityException) {
            return new BackupException(CoreErrorCode.AUTHENTICATION_FAILED,
                    doing + " on " + where + ": authentication as '" + connection.user()
                            + "' failed; check user, password and authDatabase (and that the server supports SCRAM)", e);
        }
        if (e instanceof MongoInterruptedException) {
            Thread.currentThread().interrupt();
            return new BackupException(CoreErrorCode.INTERRUPTED, doing + " on " + where + ": interrupted", e);
        }
        if (e instanceof MongoTimeoutException) {
            return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE,
                    doing + " on " + where + ": server unreachable (no server selected in time); check host, port and network", e);
        }
        if (e instanceof MongoSocketException) {
            return new BackupException(CoreErrorCode.SOURCE_UNAVAILABLE,
                    doing + " on " + where + ": connection lost (" + e.getClass().getSimpleName() + ")", e);
        }
        if (e instanceof MongoCommandException c && (c.getErrorCode() == 18 || c.getErrorCode() == 13)) {
            return new BackupException(CoreErrorCode.AUTHENTICATION_FAILED,
                    doing + " on " + where + ": not authorized (" + c.getErrorCodeName() + ")", e);
        }
        return new BackupException(CoreErrorCode.SOURCE_FAILED,
                doing + " on " + where + " failed: " + e.getClass().getSimpleName() + " code " + e.getCode(), e);
    }
}
