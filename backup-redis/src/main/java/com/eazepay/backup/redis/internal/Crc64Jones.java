package com.eazepay.backup.redis.internal;

/**
 * CRC-64 with the Jones polynomial as Redis computes it ({@code src/crc64.c}): reflected input and
 * output, polynomial {@code 0xad93d23594c935a9}, initial value 0, no final xor. Check value:
 * {@code crc64("123456789") == 0xe9c6d914c4b8d9caL}. Stateless; thread-safe.
 *
 * <p><b>Do not merge with the MongoDB module's {@code Crc64Xz}.</b> Both are "CRC-64", but they are
 * different checksums fixed by two external file formats: this one (CRC-64/Jones) is what Redis
 * writes at the end of RDB files and {@code DUMP} payloads; mongodump archives use CRC-64/XZ (the
 * ECMA-182 polynomial, initial value and final XOR all ones). The same bytes give different values,
 * so sharing one class would corrupt one of the two formats.
 */
public final class Crc64Jones {

    private static final long POLY_REFLECTED = 0x95AC9329AC4BC9B5L;
    /** Slicing-by-8 tables, flat: table k at {@code k * 256}. */
    private static final long[] TABLE = new long[8 * 256];
    /** Eight bytes as one little-endian long: one bounds check and load instead of eight. */
    private static final java.lang.invoke.VarHandle LONG_LE =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    static {
        for (int n = 0; n < 256; n++) {
            long crc = n;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY_REFLECTED : crc >>> 1;
            }
            TABLE[n] = crc;
        }
        for (int n = 0; n < 256; n++) {
            long crc = TABLE[n];
            for (int k = 1; k < 8; k++) {
                crc = TABLE[(int) (crc & 0xff)] ^ (crc >>> 8);
                TABLE[k * 256 + n] = crc;
            }
        }
    }

    private Crc64Jones() {
    }

    /** Continues {@code crc} over {@code len} bytes of {@code b} from {@code off}. */
    public static long update(long crc, byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        long[] t = TABLE;
        while (end - i >= 8) {
            long x = crc ^ (long) LONG_LE.get(b, i);
            crc = t[7 * 256 + (int) (x & 0xff)] ^ t[6 * 256 + (int) ((x >>> 8) & 0xff)]
                    ^ t[5 * 256 + (int) ((x >>> 16) & 0xff)] ^ t[4 * 256 + (int) ((x >>> 24) & 0xff)]
                    ^ t[3 * 256 + (int) ((x >>> 32) & 0xff)] ^ t[2 * 256 + (int) ((x >>> 40) & 0xff)]
                    ^ t[256 + (int) ((x >>> 48) & 0xff)] ^ t[(int) (x >>> 56)];
            i += 8;
        }
        while (i < end) {
            crc = t[(int) ((crc ^ b[i]) & 0xff)] ^ (crc >>> 8);
            i++;
        }
        return crc;
    }

    /** Continues {@code crc} over one byte. */
    public static long update(long crc, int b) {
        return TABLE[(int) ((crc ^ b) & 0xff)] ^ (crc >>> 8);
    }
}
