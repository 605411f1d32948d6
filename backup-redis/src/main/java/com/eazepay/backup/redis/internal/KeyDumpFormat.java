package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The {@code redisdump} stream format written by key-dump mode (big-endian integers):
 * <pre>
 * header  "REDISDUMP1\n"                                  11 bytes
 * 'D'     u32 db                                          following keys belong to db
 * 'K'     u32 keyLength, key, i64 expireAtMs (-1 = none), u32 payloadLength, payload (a DUMP reply)
 * 'E'     u64 keyCount                                    end of stream; nothing may follow
 * </pre>
 * Each payload carries its own RDB version and CRC-64, checked on read.
 */
public final class KeyDumpFormat {

    /** File header. */
    public static final byte[] MAGIC = "REDISDUMP1\n".getBytes(StandardCharsets.US_ASCII);

    private KeyDumpFormat() {
    }

    /** Writes records; does not close the stream. */
    public static final class Writer {
        private final DataOutputStream out;
        private long keys;

        public Writer(OutputStream out) throws IOException {
            this.out = new DataOutputStream(out);
            this.out.write(MAGIC);
        }

        public void db(int db) throws IOException {
            out.writeByte('D');
            out.writeInt(db);
        }

        public void key(byte[] key, long expireAtMs, byte[] payload) throws IOException {
            out.writeByte('K');
            out.writeInt(key.length);
            out.write(key);
            out.writeLong(expireAtMs);
            out.writeInt(payload.length);
            out.write(payload);
            keys++;
        }

        /**
         * Writes a key record's header; the caller then writes exactly {@code payloadLength} payload
         * bytes to the returned stream (not closed by the caller), so a large payload is never held
         * in memory whole.
         */
        public OutputStream beginKey(byte[] key, long expireAtMs, long payloadLength) throws IOException {
            if (payloadLength < 11 || payloadLength > Integer.MAX_VALUE - 16) {
                throw new IOException("DUMP payload of " + payloadLength + " bytes cannot be stored");
            }
            out.writeByte('K');
            out.writeInt(key.length);
            out.write(key);
            out.writeLong(expireAtMs);
            out.writeInt((int) payloadLength);
            keys++;
            return out;
        }

        public void end() throws IOException {
            out.writeByte('E');
            out.writeLong(keys);
            out.flush();
        }
    }

    /** Receives records. */
    public interface Visitor {
        void key(int db, byte[] key, long expireAtMs, byte[] payload) throws IOException;
    }

    /** The RDB version a DUMP payload was written with. */
    public static int payloadVersion(byte[] payload) {
        int n = payload.length;
        return (payload[n - 10] & 0xff) | (payload[n - 9] & 0xff) << 8;
    }

    /** Reads a whole stream, checking its structure and every payload's CRC-64; returns the key count. */
    public static long read(InputStream in, String what, Visitor visitor) throws IOException {
        CountingInput counting = new CountingInput(in);
        DataInputStream din = new DataInputStream(counting);
        byte[] magic = new byte[MAGIC.length];
        try {
            din.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw corrupt(what, 0, "not a redisdump stream (bad header)");
            }
            int db = 0;
            long keys = 0;
            while (true) {
                long at = counting.count;
                int tag = din.readUnsignedByte();
                switch (tag) {
                    case 'D' -> db = din.readInt();
                    case 'K' -> {
                        int kl = din.readInt();
                        if (kl < 0 || kl > 512 << 20) {
                            throw corrupt(what, at, "bad key length " + kl);
                        }
                        byte[] key = new byte[kl];
                        din.readFully(key);
                        long expire = din.readLong();
                        int pl = din.readInt();
                        if (pl < 11 || pl > Integer.MAX_VALUE - 16) {
                            throw corrupt(what, at, "bad payload length " + pl);
                        }
                        byte[] payload = new byte[pl];
                        din.readFully(payload);
                        long crc = Crc64Jones.update(0, payload, 0, pl - 8);
                        long stored = 0;
                        for (int i = 0; i < 8; i++) {
                            stored |= (payload[pl - 8 + i] & 0xffL) << (8 * i);
                        }
                        if (crc != stored) {
                            throw new BackupException(CoreErrorCode.CHECKSUM_MISMATCH, what + ": CRC-64 mismatch in the DUMP payload of the record at offset " + at);
                        }
                        keys++;
                        visitor.key(db, key, expire, payload);
                    }
                    case 'E' -> {
                        long declared = din.readLong();
                        if (declared != keys) {
                            throw corrupt(what, at, "end record declares " + declared + " keys, stream holds " + keys);
                        }
                        if (din.read() >= 0) {
                            throw corrupt(what, counting.count, "unexpected bytes after the end record");
                        }
                        return keys;
                    }
                    default -> throw corrupt(what, at, "unknown record tag " + tag);
                }
            }
        } catch (EOFException e) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, what + ": truncated at offset " + counting.count, e);
        }
    }

    private static BackupException corrupt(String what, long at, String why) {
        return new BackupException(CoreErrorCode.CORRUPT_DATA, what + ": corrupt at offset " + at + ": " + why);
    }

    private static final class CountingInput extends java.io.FilterInputStream {
        long count;

        CountingInput(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
