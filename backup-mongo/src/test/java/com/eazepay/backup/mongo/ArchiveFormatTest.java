package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.mongo.internal.ArchiveHeader;
import com.eazepay.backup.mongo.internal.ArchiveReader;
import com.eazepay.backup.mongo.internal.ArchiveWriter;
import com.eazepay.backup.mongo.internal.CollectionMetadata;
import com.eazepay.backup.mongo.internal.Crc64Xz;
import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The writer against the archive spec, byte by byte, and the reader's error reporting. */
class ArchiveFormatTest {

    private static byte[] doc(int id) {
        RawBsonDocument raw = new RawBsonDocument(new BsonDocument("_id", new BsonInt32(id)).append("s", new BsonString("x" + id)),
                new BsonDocumentCodec());
        ByteBuffer b = raw.getByteBuffer().asNIO();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    /** Hand-made BSON per bsonspec.org, independent of the writer's encoder. */
    private static final class Bson {
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();

        Bson str(String key, String value) {
            body.write(0x02);
            cstring(key);
            byte[] v = value.getBytes(StandardCharsets.UTF_8);
            int32(v.length + 1);
            body.writeBytes(v);
            body.write(0);
            return this;
        }

        Bson i32(String key, int value) {
            body.write(0x10);
            cstring(key);
            int32(value);
            return this;
        }

        Bson i64(String key, long value) {
            body.write(0x12);
            cstring(key);
            body.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(value).array());
            return this;
        }

        Bson bool(String key, boolean value) {
            body.write(0x08);
            cstring(key);
            body.write(value ? 1 : 0);
            return this;
        }

        byte[] bytes() {
            byte[] b = body.toByteArray();
            ByteBuffer out = ByteBuffer.allocate(b.length + 5).order(ByteOrder.LITTLE_ENDIAN);
            out.putInt(b.length + 5).put(b).put((byte) 0);
            return out.array();
        }

        private void cstring(String s) {
            body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
        }

        private void int32(int v) {
            body.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }
    }

    private static final byte[] TERM = {-1, -1, -1, -1};

    @Test
    void crc64MatchesTheEcmaCheckValueMongodumpUses() {
        Crc64Xz crc = new Crc64Xz();
        byte[] check = "123456789".getBytes(StandardCharsets.US_ASCII);
        crc.update(check, 0, check.length);
        assertThat(crc.value()).isEqualTo(0x995dc9bbdf1939faL);
    }

    @Test
    void crc64EightBytesAtATimeMatchesTheBitwiseDefinitionForEveryLengthAndSplit() {
        java.util.Random r = new java.util.Random(42);
        for (int len = 0; len <= 67; len++) {
            byte[] b = new byte[len + 3];
            r.nextBytes(b);
            long expected = bitwiseCrc64Ecma(b, 3, len);
            for (int split = 0; split <= len; split += Math.max(1, len / 7)) {
                Crc64Xz crc = new Crc64Xz();
                crc.update(b, 3, split);
                crc.update(b, 3 + split, len - split);
                assertThat(crc.value()).as("length %d split at %d", len, split).isEqualTo(expected);
            }
        }
    }

    /** CRC-64/XZ one bit at a time, straight from its definition (reflected ECMA-182, all-ones init and xor-out). */
    private static long bitwiseCrc64Ecma(byte[] b, int off, int len) {
        long crc = ~0L;
        for (int i = off; i < off + len; i++) {
            crc ^= b[i] & 0xffL;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0xC96C5795D7870F42L : crc >>> 1;
            }
        }
        return ~crc;
    }

    @Test
    void aSecondPassReaderWithoutCrcReadsEveryDocumentAndSkipsOnlyTheCrcCheck() throws IOException {
        byte[] archive = sample(3);
        int at = indexOf(archive, doc(1), 0);
        archive[at + 12] ^= 0x01; // a CRC mismatch: the first pass (verifying) refuses it
        assertThat(readAll(archive).getMessage()).contains("CRC-64 mismatch");
        int documents = 0;
        try (ArchiveReader reader = ArchiveReader.open(new ByteArrayInputStream(archive), false)) {
            ArchiveReader.Event e;
            while ((e = reader.next()) != null) {
                if (e instanceof ArchiveReader.Document) {
                    documents++;
                }
            }
        }
        assertThat(documents).isEqualTo(3);
    }

    @Test
    void writerProducesExactlyTheBytesTheSpecDefines() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(out);
        String md = "{\"indexes\":[],\"collectionName\":\"users\",\"type\":\"collection\"}";
        w.writePrelude(new ArchiveHeader(1, "0.1", "5.0.0", "t"), List.of(
                new CollectionMetadata("pay", "users", md, 0, "collection"),
                new CollectionMetadata("pay", "empty.with.dots", "", 0, "collection")));
        w.beginNamespace("pay", "users");
        byte[] d0 = doc(0);
        byte[] d1 = doc(1);
        w.writeDocument(d0, 0, d0.length);
        w.writeDocument(d1, 0, d1.length);
        long crcValue = w.endNamespace();
        w.beginNamespace("pay", "empty.with.dots");
        assertThat(w.endNamespace()).isZero();

        Crc64Xz crc = new Crc64Xz();
        crc.update(d0, 0, d0.length);
        crc.update(d1, 0, d1.length);
        assertThat(crcValue).isEqualTo(crc.value());

        ByteArrayOutputStream want = new ByteArrayOutputStream();
        want.writeBytes(HexFormat.of().parseHex("6de29981"));
        want.writeBytes(new Bson().i32("concurrent_collections", 1).str("version", "0.1").str("server_version", "5.0.0")
                .str("tool_version", "t").bytes());
        want.writeBytes(new Bson().str("db", "pay").str("collection", "users").str("metadata", md).i32("size", 0)
                .str("type", "collection").bytes());
        want.writeBytes(new Bson().str("db", "pay").str("collection", "empty.with.dots").str("metadata", "").i32("size", 0)
                .str("type", "collection").bytes());
        want.writeBytes(TERM);
        want.writeBytes(new Bson().str("db", "pay").str("collection", "users").bool("EOF", false).i64("CRC", 0).bytes());
        want.writeBytes(d0);
        want.writeBytes(d1);
        want.writeBytes(TERM);
        want.writeBytes(new Bson().str("db", "pay").str("collection", "users").bool("EOF", true).i64("CRC", crc.value()).bytes());
        want.writeBytes(TERM);
        // a namespace without documents: only its end block, CRC 0
        want.writeBytes(new Bson().str("db", "pay").str("collection", "empty.with.dots").bool("EOF", true).i64("CRC", 0).bytes());
        want.writeBytes(TERM);

        assertThat(HexFormat.of().formatHex(out.toByteArray())).isEqualTo(HexFormat.of().formatHex(want.toByteArray()));
        assertThat(w.position()).isEqualTo(out.size());
    }

    @Test
    void readerReturnsWhatTheWriterWrote() throws IOException {
        byte[] archive = sample(3);
        List<String> seen = new ArrayList<>();
        try (ArchiveReader r = ArchiveReader.open(new ByteArrayInputStream(archive))) {
            assertThat(r.header().serverVersion()).isEqualTo("6.0.1");
            assertThat(r.collections()).extracting(CollectionMetadata::namespace).containsExactly("a.b.c", "a.d");
            ArchiveReader.Event e;
            while ((e = r.next()) != null) {
                if (e instanceof ArchiveReader.Document d) {
                    seen.add(d.namespace() + ":" + d.document().getInt32("_id").getValue());
                } else if (e instanceof ArchiveReader.NamespaceEnd end) {
                    seen.add("end " + end.namespace() + " " + end.documents());
                }
            }
        }
        assertThat(seen).containsExactly("a.b.c:0", "a.b.c:1", "a.b.c:2", "end a.b.c 3", "end a.d 0");
    }

    @Test
    void everyBsonTypeAndBinarySubtypeSurvivesWriterAndReaderByteForByte() throws IOException {
        List<BsonDocument> docs = new ArrayList<>(TestData.everyType());
        docs.addAll(TestData.typesOnlyRealServersStore());
        List<byte[]> written = new ArrayList<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(out);
        w.writePrelude(new ArchiveHeader(1, "0.1", "7.0.0", "t"), List.of(new CollectionMetadata("x", "all.types", "{}", 0, "collection")));
        w.beginNamespace("x", "all.types");
        for (BsonDocument d : docs) {
            RawBsonDocument raw = new RawBsonDocument(d, new BsonDocumentCodec());
            ByteBuffer b = raw.getByteBuffer().asNIO();
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            written.add(bytes);
            w.writeDocument(bytes, 0, bytes.length);
        }
        w.endNamespace();
        List<byte[]> read = new ArrayList<>();
        try (ArchiveReader r = ArchiveReader.open(new ByteArrayInputStream(out.toByteArray()))) {
            ArchiveReader.Event e;
            while ((e = r.next()) != null) {
                if (e instanceof ArchiveReader.Document d) {
                    ByteBuffer b = d.document().getByteBuffer().asNIO();
                    byte[] bytes = new byte[b.remaining()];
                    b.get(bytes);
                    read.add(bytes);
                }
            }
        }
        assertThat(read).hasSameSizeAs(written);
        for (int i = 0; i < read.size(); i++) {
            assertThat(read.get(i)).isEqualTo(written.get(i));
        }
    }

    static byte[] sample(int docs) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(out);
        w.writePrelude(new ArchiveHeader(1, "0.1", "6.0.1", "t"), List.of(
                new CollectionMetadata("a", "b.c", "{}", 0, "collection"),
                new CollectionMetadata("a", "d", "{}", 0, "collection")));
        w.beginNamespace("a", "b.c");
        for (int i = 0; i < docs; i++) {
            byte[] d = doc(i);
            w.writeDocument(d, 0, d.length);
        }
        w.endNamespace();
        w.beginNamespace("a", "d");
        w.endNamespace();
        return out.toByteArray();
    }

    private static BackupException readAll(byte[] archive) {
        try (ArchiveReader r = ArchiveReader.open(new ByteArrayInputStream(archive))) {
            while (r.next() != null) {
                // drain
            }
        } catch (BackupException e) {
            return e;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        throw new AssertionError("no error");
    }

    private static int indexOf(byte[] hay, byte[] needle, int from) {
        outer:
        for (int i = from; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aFlippedByteInADocumentFailsTheCrcNamingTheNamespaceAndOffset() {
        byte[] archive = sample(3);
        int at = indexOf(archive, doc(1), 0);
        archive[at + 12] ^= 0x01; // inside the string value of document 1
        BackupException e = readAll(archive);
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
        assertThat(e.getMessage()).contains("namespace a.b.c").contains("CRC-64 mismatch").containsPattern("offset \\d+");
    }

    @Test
    void aBrokenDocumentLengthNamesTheNamespaceAndItsOffset() {
        byte[] archive = sample(3);
        int at = indexOf(archive, doc(2), 0);
        archive[at + 3] = 0x7f; // length field of document 2 becomes huge
        BackupException e = readAll(archive);
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
        assertThat(e.getMessage()).contains("namespace a.b.c").contains("at offset " + at).contains("invalid BSON length");
    }

    @Test
    void aTruncatedArchiveNamesTheNamespaceWhoseEndIsMissing() {
        byte[] archive = sample(3);
        for (int cut : new int[]{archive.length - 1, archive.length - 70, 150, 20, 3}) {
            byte[] truncated = java.util.Arrays.copyOf(archive, cut);
            BackupException e = readAll(truncated);
            assertThat(e.errorCode()).as("cut at %d", cut).isEqualTo(CoreErrorCode.CORRUPT_DATA);
            assertThat(e.getMessage()).as("cut at %d", cut).containsPattern("offset \\d+");
        }
        // cut exactly before the end block of a.d: the prelude promised a.d, so its end block is missing
        int endBlockOfD = archive.length - 4
                - new Bson().str("db", "a").str("collection", "d").bool("EOF", true).i64("CRC", 0).bytes().length;
        assertThat(readAll(java.util.Arrays.copyOf(archive, endBlockOfD)).getMessage())
                .contains("namespace a.d").contains("offset " + endBlockOfD);
    }

    @Test
    void somethingElseIsNotAnArchive() {
        BackupException e = readAll("PGDMP not an archive".getBytes(StandardCharsets.US_ASCII));
        assertThat(e.errorCode()).isEqualTo(CoreErrorCode.CORRUPT_DATA);
        assertThat(e.getMessage()).contains("not a mongodump archive").contains("offset 0");
    }
}
