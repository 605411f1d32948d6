package com.eazepay.backup.mongo.internal;

/**
 * CRC-64 with the ECMA-182 polynomial, reflected, initial value and final XOR all ones: the
 * checksum Go's {@code hash/crc64} computes with {@code crc64.ECMA}, which mongodump writes in the
 * end-of-collection block (also known as CRC-64/XZ; check value of "123456789" is
 * {@code 0x995dc9bbdf1939fa}). Not thread-safe.
 *
 * <p><b>Do not merge with the Redis module's {@code Crc64Jones}.</b> Both are "CRC-64", but they are
 * different checksums fixed by two external file formats: this one uses the ECMA-182 polynomial
 * with initial value and final XOR all ones (mongodump archives); Redis uses the Jones polynomial
 * with initial value 0 and no final XOR (RDB files and {@code DUMP} payloads). The same bytes give
 * different values, so sharing one class would corrupt one of the two formats.
 */
public final class Crc64Xz {

    private static final long POLY = 0xC96C5795D7870F42L;
    /** {@code TABLE[0]} is the byte-at-a-time table; {@code TABLE[k]} advances a byte through k more zero bytes. */
    private static final long[][] TABLE = new long[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[0][i] = crc;
        }
        for (int i = 0; i < 256; i++) {
            long crc = TABLE[0][i];
            for (int k = 1; k < 8; k++) {
                crc = TABLE[0][(int) (crc & 0xff)] ^ (crc >>> 8);
                TABLE[k][i] = crc;
            }
        }
    }

    private long crc;

    /** Adds bytes to the checksum: eight at a time (slicing-by-8), the rest one by one. */
    public void update(byte[] buf, int off, int len) {
        long c = ~crc;
        int i = off;
        int end = off + len;
        while (end - i >= 8) {
            long x = c ^ ((buf[i] & 0xffL) | (buf[i + 1] & 0xffL) << 8 | (buf[i + 2] & 0xffL) << 16
                    | (buf[i + 3] & 0xffL) << 24 | (buf[i + 4] & 0xffL) << 32 | (buf[i + 5] & 0xffL) << 40
                    | (buf[i + 6] & 0xffL) << 48 | (buf[i + 7] & 0xffL) << 56);
            c = TABLE[7][(int) (x & 0xff)] ^ TABLE[6][(int) ((x >>> 8) & 0xff)]
                    ^ TABLE[5][(int) ((x >>> 16) & 0xff)] ^ TABLE[4][(int) ((x >>> 24) & 0xff)]
                    ^ TABLE[3][(int) ((x >>> 32) & 0xff)] ^ TABLE[2][(int) ((x >>> 40) & 0xff)]
                    ^ TABLE[1][(int) ((x >>> 48) & 0xff)] ^ TABLE[0][(int) (x >>> 56)];
            i += 8;
        }
        while (i < end) {
            c = TABLE[0][(int) ((c ^ buf[i]) & 0xff)] ^ (c >>> 8);
            i++;
        }
        crc = ~c;
    }

    /** The checksum of the bytes added so far, as the signed 64-bit value mongodump stores. */
    public long value() {
        return crc;
    }
}
