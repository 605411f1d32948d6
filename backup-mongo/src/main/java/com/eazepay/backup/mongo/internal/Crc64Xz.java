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
    private static final long[] TABLE = new long[256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ POLY : crc >>> 1;
            }
            TABLE[i] = crc;
        }
    }

    private long crc;

    /** Adds bytes to the checksum. */
    public void update(byte[] buf, int off, int len) {
        long c = ~crc;
        for (int i = off; i < off + len; i++) {
            c = TABLE[(int) ((c ^ buf[i]) & 0xff)] ^ (c >>> 8);
        }
        crc = ~c;
    }

    /** The checksum of the bytes added so far, as the signed 64-bit value mongodump stores. */
    public long value() {
        return crc;
    }
}
