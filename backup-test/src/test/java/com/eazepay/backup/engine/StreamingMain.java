package com.eazepay.backup.engine;

import com.eazepay.backup.Backup;
import com.eazepay.backup.BackupEngine;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.BackupResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.storage.FileSystemStorage;
import com.eazepay.backup.VerificationReport;
import com.eazepay.backup.spi.BackupContext;
import com.eazepay.backup.spi.BackupSource;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;
import com.eazepay.backup.spi.RestoreContext;
import com.eazepay.backup.spi.RestoreOutcome;
import com.eazepay.backup.spi.RestoreTarget;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Run in a forked JVM with a small heap by {@link StreamingTest}: backs up {@code bytes} of
 * payments-like rows through the real pipeline into a filesystem repository, verifies (full
 * decode), and prints one line {@code ok plaintext stored backupMBps verifyMBps peakHeapMB}.
 * Also usable by hand: {@code java -Xmx64m -cp ... StreamingMain /tmp/repo 1073741824 zstd}.
 */
public final class StreamingMain {

    private StreamingMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        long bytes = Long.parseLong(args[1]);
        Compression compression = Compression.forId(args.length > 2 ? args[2] : "zstd");
        try (BackupEngine engine = Backup.engine().repository(FileSystemStorage.at(dir)).compression(compression)
                .encryption(Encryption.none()).source(new RowsSource(bytes)).build()) {
            long t0 = System.nanoTime();
            BackupResult r = engine.backup("rows").run();
            double backupSeconds = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            VerificationReport v = engine.verify("rows").id(r.id()).run();
            double verifySeconds = (System.nanoTime() - t1) / 1e9;
            if (!v.passed() || v.streams().get(0).plaintextSize() != bytes) {
                System.out.println("FAILED verification " + v.streams());
                System.exit(1);
            }
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.printf("ok %d %d %.1f %.1f %.1f%n", r.plaintextBytes(), r.storedBytes(),
                    bytes / 1e6 / backupSeconds, bytes / 1e6 / verifySeconds, peak / 1024.0 / 1024.0);
        }
    }

    /** Writes {@code size} bytes of CSV rows that look like payments. */
    static final class RowsSource implements BackupSource {
        private final long size;

        RowsSource(long size) {
            this.size = size;
        }

        @Override
        public String name() {
            return "rows";
        }

        @Override
        public String type() {
            return "generated";
        }

        @Override
        public void backup(BackupContext context) {
            String[] statuses = {"SETTLED", "PENDING", "FAILED", "REFUNDED"};
            String[] currencies = {"EUR", "USD", "GBP", "INR"};
            java.util.SplittableRandom random = new java.util.SplittableRandom(7);
            byte[] buf = new byte[64 * 1024];
            long written = 0;
            long row = 0;
            try (OutputStream out = context.newStream("rows", "csv")) {
                StringBuilder sb = new StringBuilder(256);
                int used = 0;
                while (written < size) {
                    sb.setLength(0);
                    sb.append(row++).append(",usr_").append(random.nextInt(1_000_000)).append(',')
                            .append(random.nextInt(1_000_000)).append('.').append(random.nextInt(100)).append(',')
                            .append(currencies[random.nextInt(4)]).append(",2026-11-").append(10 + random.nextInt(20))
                            .append('T').append(random.nextInt(24)).append(":00:00Z,").append(statuses[random.nextInt(4)]).append('\n');
                    byte[] line = sb.toString().getBytes(StandardCharsets.US_ASCII);
                    for (byte b : line) {
                        if (written + used >= size) {
                            break;
                        }
                        buf[used++] = b;
                        if (used == buf.length) {
                            out.write(buf, 0, used);
                            written += used;
                            used = 0;
                        }
                    }
                    if (written + used >= size) {
                        out.write(buf, 0, used);
                        written += used;
                        used = 0;
                    }
                }
            } catch (IOException e) {
                throw new BackupException(CoreErrorCode.SOURCE_FAILED, "rows source: " + e.getMessage(), e);
            }
        }

        @Override
        public RestoreOutcome restore(RestoreContext context, RestoreTarget target) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, "restore is verified with engine.verify()");
        }
    }
}
