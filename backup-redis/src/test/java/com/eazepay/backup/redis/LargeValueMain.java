package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.test.DirectoryBackupContext;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Path;

/**
 * Run by {@link LargeValueTest} in its own JVM with a small {@code -Xmx}: backs up one server (mode
 * given) and restores the backup into another live server. Prints {@code RESULT <peakHeapBytes>
 * <facts>} or {@code FAILED <errorCode> <message>}.
 */
public final class LargeValueMain {

    private LargeValueMain() {
    }

    public static void main(String[] args) {
        RedisSource.Mode mode = RedisSource.Mode.valueOf(args[0]);
        int sourcePort = Integer.parseInt(args[1]);
        int targetPort = Integer.parseInt(args[2]);
        Path dir = Path.of(args[3]);
        try {
            RedisSource source = RedisSource.builder().host("127.0.0.1").port(sourcePort).mode(mode).build();
            DirectoryBackupContext ctx = DirectoryBackupContext.in(dir);
            source.backup(ctx);
            RestoreOutcome out = source.restore(ctx.restoreContext(), RedisTarget.server("127.0.0.1", targetPort));
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.println("RESULT " + peak + " " + out.checks().stream().allMatch(c -> c.passed()) + " " + out.facts());
        } catch (BackupException e) {
            System.out.println("FAILED " + e.errorCode().name() + " " + e.getMessage());
            System.exit(2);
        }
    }
}
