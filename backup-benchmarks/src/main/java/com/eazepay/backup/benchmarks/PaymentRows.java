package com.eazepay.backup.benchmarks;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Deterministic payments-like data: CSV rows of a payments table (ids, merchant and customer ids,
 * amounts, ISO currency codes, statuses, timestamps, payment method, country, a random-looking
 * reference and a small JSON metadata column), the kind of text {@code pg_dump}/{@code COPY} emits.
 * The same seed and size always give the same bytes.
 */
public final class PaymentRows {

    /** Seed used by the benchmarks, so every run and machine sees the same data. */
    public static final long SEED = 20261124L;

    private static final String HEADER =
            "id,merchant_id,customer_id,amount,currency,status,created_at,updated_at,method,country,reference,metadata\n";
    private static final String[] CURRENCIES = {"USD", "USD", "USD", "EUR", "EUR", "GBP", "NGN", "KES", "GHS", "ZAR", "INR", "BRL"};
    private static final String[] STATUSES = {"SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED", "SUCCEEDED",
        "PENDING", "FAILED", "REFUNDED", "CANCELLED", "DISPUTED"};
    private static final String[] METHODS = {"card", "card", "card", "bank_transfer", "mobile_money", "wallet", "ussd"};
    private static final String[] COUNTRIES = {"US", "GB", "DE", "FR", "NG", "KE", "GH", "ZA", "IN", "BR"};
    private static final String[] DEVICES = {"ios", "android", "web", "pos", "api"};
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private PaymentRows() {
    }

    /** {@code size} bytes of rows from {@link #SEED} (the last row is cut at {@code size}). */
    public static byte[] generate(int size) {
        return generate(size, SEED);
    }

    /** {@code size} bytes of rows from {@code seed} (the last row is cut at {@code size}). */
    public static byte[] generate(int size, long seed) {
        byte[] out = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder row = new StringBuilder(256);
        int pos = 0;
        byte[] header = HEADER.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(header, 0, out, 0, Math.min(header.length, size));
        pos += Math.min(header.length, size);
        // payments arrive in time order, a few per second, like a real table's physical order
        long id = 100_000_000L;
        long epochMillis = 1_764_000_000_000L; // 2025-11-24
        while (pos < size) {
            row.setLength(0);
            id += 1;
            epochMillis += random.nextInt(1, 400);
            row.append("pay_").append(id).append(',');
            row.append("mrc_").append(10_000 + random.nextInt(2_000)).append(',');
            row.append("cus_").append(1_000_000 + random.nextInt(900_000)).append(',');
            long cents = amountCents(random);
            row.append(cents / 100).append('.');
            long c = cents % 100;
            row.append(c < 10 ? "0" : "").append(c).append(',');
            row.append(CURRENCIES[random.nextInt(CURRENCIES.length)]).append(',');
            row.append(STATUSES[random.nextInt(STATUSES.length)]).append(',');
            appendTimestamp(row, epochMillis).append(',');
            appendTimestamp(row, epochMillis + random.nextInt(0, 5_000)).append(',');
            row.append(METHODS[random.nextInt(METHODS.length)]).append(',');
            row.append(COUNTRIES[random.nextInt(COUNTRIES.length)]).append(',');
            row.append("EZP-");
            for (int i = 0; i < 12; i++) {
                row.append(HEX[random.nextInt(16)]);
            }
            row.append(",\"{\"\"ip\"\":\"\"10.").append(random.nextInt(256)).append('.').append(random.nextInt(256))
                    .append('.').append(random.nextInt(256)).append("\"\",\"\"device\"\":\"\"")
                    .append(DEVICES[random.nextInt(DEVICES.length)]).append("\"\",\"\"risk\"\":")
                    .append(random.nextInt(100)).append("}\"\n");
            for (int i = 0; i < row.length() && pos < size; i++) {
                out[pos++] = (byte) row.charAt(i);
            }
        }
        return out;
    }

    /** {@code size} bytes from a seeded PRNG: incompressible data (already-compressed files, keys). */
    public static byte[] random(int size) {
        byte[] out = new byte[size];
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < size; i += 8) {
            long v = random.nextLong();
            for (int b = 0; b < 8 && i + b < size; b++) {
                out[i + b] = (byte) (v >>> (8 * b));
            }
        }
        return out;
    }

    /**
     * Writes {@code total} bytes to {@code out} by repeating {@code block} in 64 KiB writes. Blocks of
     * several MiB are far larger than the zstd (level 1/3) and gzip windows, so repetition does not help
     * the compressors.
     */
    public static void writeRepeated(byte[] block, long total, OutputStream out) throws IOException {
        final int chunk = 64 * 1024;
        long written = 0;
        int offset = 0;
        while (written < total) {
            int n = (int) Math.min(Math.min(chunk, block.length - offset), total - written);
            out.write(block, offset, n);
            written += n;
            offset += n;
            if (offset == block.length) {
                offset = 0;
            }
        }
    }

    private static long amountCents(SplittableRandom random) {
        // mostly small payments, a long tail of large ones
        int bucket = random.nextInt(100);
        if (bucket < 70) {
            return random.nextLong(100, 10_000);
        } else if (bucket < 95) {
            return random.nextLong(10_000, 500_000);
        }
        return random.nextLong(500_000, 100_000_000);
    }

    private static StringBuilder appendTimestamp(StringBuilder sb, long epochMillis) {
        java.time.LocalDateTime t = java.time.LocalDateTime.ofEpochSecond(epochMillis / 1000,
                (int) (epochMillis % 1000) * 1_000_000, java.time.ZoneOffset.UTC);
        sb.append(t.getYear()).append('-');
        pad2(sb, t.getMonthValue()).append('-');
        pad2(sb, t.getDayOfMonth()).append(' ');
        pad2(sb, t.getHour()).append(':');
        pad2(sb, t.getMinute()).append(':');
        pad2(sb, t.getSecond()).append('.');
        int ms = (int) (epochMillis % 1000);
        sb.append(ms < 100 ? (ms < 10 ? "00" : "0") : "").append(ms);
        return sb.append("+00");
    }

    private static StringBuilder pad2(StringBuilder sb, int v) {
        return sb.append(v < 10 ? "0" : "").append(v);
    }
}
