package com.eazepay.backup.spi;

/**
 * Where a restore writes: a directory, a new database, a file. Each source documents which target
 * types it accepts; the engine passes the target through untouched.
 */
public interface RestoreTarget {

    /** A short, credential-free description for logs and results. */
    String describe();
}
