package com.eazepay.backup;

/**
 * Receives {@link BackupEvent}s synchronously on the thread that produced them; keep it quick.
 * A listener that throws is logged at WARN and never fails an operation.
 */
@FunctionalInterface
public interface BackupListener {
    void onEvent(BackupEvent event);
}
