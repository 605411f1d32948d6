package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Secret;
import com.eazepay.backup.spi.ChildProcess;

import java.time.Duration;

/** Classifies the failure of {@code pg_dump}, {@code pg_dumpall}, {@code pg_restore} or {@code psql}. */
public final class ToolFailure {

    private ToolFailure() {
    }

    /**
     * The exception for a tool that exited non-zero or was killed, classified from its stderr: timeout,
     * bad credentials, a lock wait, a standby conflict, or a plain failure. The password is masked.
     */
    public static BackupException classify(String tool, ChildProcess.Running child, int exit, String what, Duration timeout,
                                           Duration lockWaitTimeout, Secret password) {
        String err = child.stderrTail();
        String msg = tool + " " + child.describeExit(exit) + " during " + what + (err.isEmpty() ? "" : ": " + err);
        if (child.timedOut()) {
            return new BackupException(CoreErrorCode.TIMEOUT, msg + " (timeout " + timeout + ")");
        }
        if (err.contains("password authentication failed") || err.contains("no password supplied")
                || err.contains("authentication failed for user")) {
            return new BackupException(CoreErrorCode.AUTHENTICATION_FAILED, redact(msg, password)
                    + " (check the user and password the source or target was built with)");
        }
        if (err.contains("could not obtain lock") || err.contains("statement timeout") && err.contains("LOCK TABLE")) {
            return new BackupException(CoreErrorCode.SOURCE_FAILED, redact(msg, password) + " (a lock, e.g. pending DDL, blocked"
                    + " pg_dump for longer than lockWaitTimeout " + lockWaitTimeout + "; retry when it is gone)", null, true);
        }
        if (err.contains("conflict with recovery")) {
            return new BackupException(CoreErrorCode.SOURCE_FAILED, redact(msg, password) + " (the standby cancelled the dump to"
                    + " replay WAL: set hot_standby_feedback = on or raise max_standby_streaming_delay on the standby,"
                    + " or back up the primary)", null, true);
        }
        return new BackupException(CoreErrorCode.SOURCE_FAILED, redact(msg, password));
    }

    private static String redact(String text, Secret p) {
        return p == null || p.isEmpty() ? text : text.replace(p.reveal(), "****");
    }
}
