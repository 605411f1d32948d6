package com.eazepay.backup.redis.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The byte-level pieces: CRC-64, replication framing, RDB parser robustness, key-dump format. */
class FormatTest {

    /** A tiny RDB written by redis-server 7.0.15 (SET k v; RPUSH l a b; ZADD z 1 m, EXPIRE on k), with a valid CRC. */
    static byte[] smallRdb() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes("REDIS0010".getBytes(StandardCharsets.US_ASCII));
        b.write(0xFA); // AUX redis-ver 7.0.15
        b.write(9);
        b.writeBytes("redis-ver".getBytes(StandardCharsets.US_ASCII));
        b.write(6);
        b.writeBytes("7.0.15".getBytes(StandardCharsets.US_ASCII));
        b.write(0xFE); // SELECTDB 0
        b.write(0);
        b.write(0xFB); // RESIZEDB 2 1
        b.write(2);
        b.write(1);
        b.write(0xFC); // EXPIRETIME_MS
        b.writeBytes(new byte[]{0, 0, 0, 0, 0, 0, 0x10, 0});
        b.write(0); // string k = "v"
        b.write(1);
        b.write('k');
        b.write(1);
        b.write('v');
        b.write(2); // set s = {12, "x"} with an int-encoded member
        b.write(1);
        b.write('s');
        b.write(2);
        b.write(0xC0);
        b.write(12);
        b.write(1);
        b.write('x');
        b.write(0xFF);
        byte[] body = b.toByteArray();
        long crc = Crc64Jones.update(0, body, 0, body.length);
        for (int i = 0; i < 8; i++) {
            b.write((int) (crc >>> (8 * i)) & 0xff);
        }
        return b.toByteArray();
    }

    @Test
    void crc64MatchesRedisCheckValue() {
        byte[] data = "123456789".getBytes(StandardCharsets.US_ASCII);
        assertThat(Crc64Jones.update(0, data, 0, data.length)).isEqualTo(0xe9c6d914c4b8d9caL);
        long oneByOne = 0;
        for (byte x : data) {
            oneByOne = Crc64Jones.update(oneByOne, x);
        }
        assertThat(oneByOne).isEqualTo(0xe9c6d914c4b8d9caL);
    }

    @Test
    void parsesASmallRdbAndCopiesEveryByteToTheTee() throws IOException {
        byte[] rdb = smallRdb();
        ByteArrayOutputStream tee = new ByteArrayOutputStream();
        RdbReader.Summary s = new RdbReader(new ByteArrayInputStream(rdb), tee, false, "test").read(new RdbReader.Visitor() { });
        assertThat(s.rdbVersion()).isEqualTo(10);
        assertThat(s.redisVersion()).isEqualTo("7.0.15");
        assertThat(s.keysPerDb()).containsEntry(0, 2L);
        assertThat(s.expiringKeys()).isEqualTo(1);
        assertThat(s.bytes()).isEqualTo(rdb.length);
        assertThat(tee.toByteArray()).isEqualTo(rdb);
    }

    @Test
    void everyTruncationIsReportedAsCorruptDataWithAnOffset() {
        byte[] rdb = smallRdb();
        for (int cut = 0; cut < rdb.length; cut++) {
            byte[] prefix = Arrays.copyOf(rdb, cut);
            BackupException e = catchThrowableOfType(BackupException.class,
                    () -> new RdbReader(new ByteArrayInputStream(prefix), null, false, "test").read(new RdbReader.Visitor() { }));
            assertThat(e).as("cut at %d", cut).isNotNull();
            assertThat(e.errorCode()).as("cut at %d", cut).isIn(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).contains("offset");
        }
    }

    @Test
    void everySingleBitFlipIsDetected() {
        byte[] rdb = smallRdb();
        for (int i = 9; i < rdb.length; i++) {
            byte[] bad = rdb.clone();
            bad[i] ^= 0x04;
            BackupException e = catchThrowableOfType(BackupException.class,
                    () -> new RdbReader(new ByteArrayInputStream(bad), null, false, "test").read(new RdbReader.Visitor() { }));
            assertThat(e).as("flip at %d", i).isNotNull();
            assertThat(e.errorCode()).isIn(CoreErrorCode.CORRUPT_DATA, CoreErrorCode.CHECKSUM_MISMATCH, CoreErrorCode.SOURCE_FAILED);
        }
    }

    @Test
    void crc64EightBytesAtATimeEqualsByteAtATimeAtEveryOffsetAndLength() {
        byte[] data = new byte[64];
        new java.util.Random(20).nextBytes(data);
        for (int off = 0; off < 9; off++) {
            for (int len = 0; off + len <= data.length; len++) {
                long oneByOne = 7;
                for (int i = off; i < off + len; i++) {
                    oneByOne = Crc64Jones.update(oneByOne, data[i]);
                }
                assertThat(Crc64Jones.update(7, data, off, len)).as("offset %d, length %d", off, len).isEqualTo(oneByOne);
            }
        }
    }

    @Test
    void aReaderWithoutChecksumSkipsOnlyTheRdbTrailerCheck() throws IOException {
        // the restore's load pass: the verification pass compared the CRC-64 over the same bytes
        byte[] rdb = smallRdb();
        rdb[rdb.length - 1] ^= 0x01;
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(rdb), null, false, "test").read(new RdbReader.Visitor() { }))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        RdbReader.Summary s = new RdbReader(new ByteArrayInputStream(rdb), null, true, "test").withoutChecksum()
                .read(new RdbReader.Visitor() { });
        assertThat(s.keysPerDb()).isEqualTo(new RdbReader(new ByteArrayInputStream(smallRdb()), null, true, "test")
                .read(new RdbReader.Visitor() { }).keysPerDb());
        byte[] truncated = Arrays.copyOf(smallRdb(), smallRdb().length - 3);
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(truncated), null, false, "test").withoutChecksum()
                .read(new RdbReader.Visitor() { }))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA));
    }

    @Test
    void trailingBytesAfterTheChecksumAreCorruption() {
        byte[] rdb = Arrays.copyOf(smallRdb(), smallRdb().length + 1);
        assertThatThrownBy(() -> new RdbReader(new ByteArrayInputStream(rdb), null, false, "test").read(new RdbReader.Visitor() { }))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA))
                .hasMessageContaining("after the RDB checksum");
    }

    @Test
    void disklessFramingSkipsKeepalivesAndStripsTheMarkEvenWhenReadOneByteAtATime() throws IOException {
        byte[] rdb = smallRdb();
        String mark = "0123456789abcdef0123456789abcdef01234567";
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes("\n\n\n$EOF:".getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(mark.getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(rdb);
        wire.writeBytes(mark.getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes("+PING\r\n".getBytes(StandardCharsets.US_ASCII)); // what a master might send later: never read

        ReplicationPayload p = ReplicationPayload.open(new OneByteAtATime(new ByteArrayInputStream(wire.toByteArray())));
        assertThat(p.diskless()).isTrue();
        assertThat(p.readAllBytes()).isEqualTo(rdb);

        ReplicationPayload whole = ReplicationPayload.open(new ByteArrayInputStream(
                Arrays.copyOf(wire.toByteArray(), wire.size() - 7)));
        assertThat(whole.readAllBytes()).isEqualTo(rdb);
    }

    @Test
    void lengthFramingStopsAtTheLengthAndReportsAShortConnection() throws IOException {
        byte[] rdb = smallRdb();
        ByteArrayOutputStream wire = new ByteArrayOutputStream();
        wire.writeBytes(("\n$" + rdb.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        wire.writeBytes(rdb);
        wire.writeBytes("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII));
        ReplicationPayload p = ReplicationPayload.open(new OneByteAtATime(new ByteArrayInputStream(wire.toByteArray())));
        assertThat(p.diskless()).isFalse();
        assertThat(p.readAllBytes()).isEqualTo(rdb);

        ReplicationPayload cut = ReplicationPayload.open(new ByteArrayInputStream(Arrays.copyOf(wire.toByteArray(), 20)));
        assertThatThrownBy(cut::readAllBytes).isInstanceOf(EOFException.class).hasMessageContaining("payload bytes");
    }

    @Test
    void keyDumpFormatRoundTripsAndChecksPayloadCrc() throws IOException {
        byte[] payload = com.eazepay.backup.redis.internal.RedisRestoreAccess.payload(new byte[]{0, 1, 'v'}, 10);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KeyDumpFormat.Writer w = new KeyDumpFormat.Writer(out);
        w.db(2);
        w.key("k".getBytes(StandardCharsets.UTF_8), 1234L, payload);
        w.end();
        StringBuilder seen = new StringBuilder();
        long n = KeyDumpFormat.read(new ByteArrayInputStream(out.toByteArray()), "test",
                (db, key, exp, p) -> seen.append(db).append('/').append(new String(key, StandardCharsets.UTF_8)).append('@').append(exp));
        assertThat(n).isEqualTo(1);
        assertThat(seen).hasToString("2/k@1234");
        assertThat(KeyDumpFormat.payloadVersion(payload)).isEqualTo(10);

        byte[] bad = out.toByteArray();
        bad[bad.length - 12] ^= 1; // inside the payload's CRC
        assertThatThrownBy(() -> KeyDumpFormat.read(new ByteArrayInputStream(bad), "test", (db, key, exp, p) -> { }))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CHECKSUM_MISMATCH));
        byte[] cut = Arrays.copyOf(out.toByteArray(), out.size() - 3);
        assertThatThrownBy(() -> KeyDumpFormat.read(new ByteArrayInputStream(cut), "test", (db, key, exp, p) -> { }))
                .isInstanceOfSatisfying(BackupException.class, e -> assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA))
                .hasMessageContaining("truncated at offset");
    }

    @Test
    void rdbVersionOfRedisVersions() {
        assertThat(RdbVersions.forRedis("6.2.11")).isEqualTo(9);
        assertThat(RdbVersions.forRedis("7.0.15")).isEqualTo(10);
        assertThat(RdbVersions.forRedis("7.2.4")).isEqualTo(11);
        assertThat(RdbVersions.forRedis("7.4.1")).isEqualTo(12);
        assertThat(RdbVersions.forRedis("garbage")).isEqualTo(-1);
    }

    static final class OneByteAtATime extends FilterInputStream {
        OneByteAtATime(InputStream in) {
            super(in);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return super.read(b, off, Math.min(len, 1));
        }
    }
}
