package com.eazepay.backup.internal.age;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An age v1 header: version line, stanzas, and the {@code ---} line with its HMAC-SHA-256.
 *
 * <p>Reading is strict (as the reference implementation) and bounded: at most
 * 1024 stanzas, lines of at most 4096 bytes, so a garbage input
 * cannot make the reader use unbounded memory.
 */
public final class AgeHeader {

    static final int MAX_LINE = 4096;
    static final int MAX_STANZAS = 1024;
    static final int MAX_BODY = 16 * 1024;
    private static final int COLUMNS = 64;

    private final List<Stanza> stanzas;
    private final byte[] macInput;
    private final byte[] mac;
    private final long length;

    private AgeHeader(List<Stanza> stanzas, byte[] macInput, byte[] mac, long length) {
        this.stanzas = List.copyOf(stanzas);
        this.macInput = macInput;
        this.mac = mac;
        this.length = length;
    }

    /** The stanzas, in file order. */
    public List<Stanza> stanzas() {
        return stanzas;
    }

    /** Header length in bytes, including the MAC line's newline: the offset of the payload nonce. */
    public long length() {
        return length;
    }

    /** Whether the header MAC is correct for {@code fileKey}. */
    public boolean macMatches(byte[] fileKey) {
        return MessageDigest.isEqual(computeMac(fileKey, macInput, macInput.length), mac);
    }

    /** Serializes a header for {@code stanzas} authenticated with {@code fileKey}. */
    public static byte[] write(List<Stanza> stanzas, byte[] fileKey) {
        StringBuilder sb = new StringBuilder(128 + stanzas.size() * 128);
        sb.append(AgePrimitives.VERSION_LINE).append('\n');
        for (Stanza s : stanzas) {
            sb.append("-> ").append(s.type());
            for (String arg : s.args()) {
                sb.append(' ').append(arg);
            }
            sb.append('\n');
            String body = AgePrimitives.b64(s.body());
            int i = 0;
            // Every body line is 64 columns except the last, which is shorter (possibly empty).
            while (body.length() - i >= COLUMNS) {
                sb.append(body, i, i + COLUMNS).append('\n');
                i += COLUMNS;
            }
            sb.append(body, i, body.length()).append('\n');
        }
        sb.append("---");
        byte[] prefix = sb.toString().getBytes(StandardCharsets.US_ASCII);
        byte[] mac = computeMac(fileKey, prefix, prefix.length);
        byte[] tail = (" " + AgePrimitives.b64(mac) + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] out = Arrays.copyOf(prefix, prefix.length + tail.length);
        System.arraycopy(tail, 0, out, prefix.length, tail.length);
        return out;
    }

    private static byte[] computeMac(byte[] fileKey, byte[] data, int len) {
        byte[] hmacKey = AgePrimitives.hkdf(fileKey, null, "header", 32);
        return AgePrimitives.hmacSha256(hmacKey, data, len);
    }

    /**
     * Reads a header from {@code in}, leaving the stream positioned at the payload nonce. Reads
     * byte by byte: pass a buffered stream.
     *
     * @throws BackupException {@code CORRUPT_DATA} when the input is not a well-formed age v1 header
     * @throws IOException from {@code in}
     */
    public static AgeHeader read(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream(512);
        String first = readLine(in, raw, true);
        if (!AgePrimitives.VERSION_LINE.equals(first)) {
            if (first.startsWith("-----BEGIN AGE ENCRYPTED FILE-----")) {
                throw corrupt("the data is an ASCII-armored age file; this reader takes binary age files: "
                        + "run 'age -d' on it or strip the armor first");
            }
            throw corrupt("the data is not an age v1 file: it does not start with the line '"
                    + AgePrimitives.VERSION_LINE + "'");
        }
        List<Stanza> stanzas = new ArrayList<>();
        while (true) {
            int lineStart = raw.size();
            String line = readLine(in, raw, false);
            if (line.startsWith("---")) {
                if (!line.startsWith("--- ")) {
                    throw corrupt("malformed age header: the MAC line must be '--- <mac>'");
                }
                byte[] mac;
                try {
                    mac = AgePrimitives.unb64(line.substring(4));
                } catch (IllegalArgumentException e) {
                    throw corrupt("malformed age header: the MAC is not canonical base64");
                }
                if (mac.length != 32) {
                    throw corrupt("malformed age header: the MAC is not 32 bytes");
                }
                byte[] all = raw.toByteArray();
                return new AgeHeader(stanzas, Arrays.copyOf(all, lineStart + 3), mac, all.length);
            }
            if (!line.startsWith("-> ")) {
                throw corrupt("malformed age header: line " + (stanzas.size() + 2)
                        + " is neither a stanza ('-> ...') nor the MAC line ('--- ...')");
            }
            if (stanzas.size() >= MAX_STANZAS) {
                throw corrupt("malformed age header: more than " + MAX_STANZAS + " stanzas");
            }
            stanzas.add(readStanza(line, in, raw));
        }
    }

    private static Stanza readStanza(String line, InputStream in, ByteArrayOutputStream raw) throws IOException {
        String[] parts = line.substring(3).split(" ", -1);
        for (String p : parts) {
            if (p.isEmpty()) {
                throw corrupt("malformed age header: empty stanza argument");
            }
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < 33 || c > 126) {
                    throw corrupt("malformed age header: stanza argument with a non-printable character");
                }
            }
        }
        StringBuilder body = new StringBuilder();
        while (true) {
            String bodyLine = readLine(in, raw, false);
            if (bodyLine.length() > COLUMNS) {
                throw corrupt("malformed age header: stanza body line longer than 64 columns");
            }
            body.append(bodyLine);
            if (body.length() > MAX_BODY) {
                throw corrupt("malformed age header: stanza body larger than " + MAX_BODY + " bytes");
            }
            if (bodyLine.length() < COLUMNS) {
                break;
            }
        }
        byte[] decoded;
        try {
            decoded = AgePrimitives.unb64(body.toString());
        } catch (IllegalArgumentException e) {
            throw corrupt("malformed age header: stanza body is not canonical base64");
        }
        return new Stanza(parts[0], List.of(parts).subList(1, parts.length), decoded);
    }

    private static String readLine(InputStream in, ByteArrayOutputStream raw, boolean first) throws IOException {
        StringBuilder sb = new StringBuilder(80);
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (first && sb.length() == 0 && raw.size() == 0) {
                    throw corrupt("the data is empty: an age file starts with the line '"
                            + AgePrimitives.VERSION_LINE + "'");
                }
                if (first && !AgePrimitives.VERSION_LINE.startsWith(sb.toString())) {
                    throw corrupt("the data is not an age v1 file: it does not start with the line '"
                            + AgePrimitives.VERSION_LINE + "'");
                }
                throw corrupt("the age header is truncated (the stream ended after " + raw.size()
                        + " bytes, before the '---' MAC line)");
            }
            raw.write(b);
            if (b == '\n') {
                return sb.toString();
            }
            if (b < 32 || b > 126) {
                if (first) {
                    throw corrupt("the data is not an age v1 file: it does not start with the line '"
                            + AgePrimitives.VERSION_LINE + "'");
                }
                throw corrupt("malformed age header: non-printable byte at offset " + (raw.size() - 1));
            }
            sb.append((char) b);
            if (sb.length() > MAX_LINE || (first && sb.length() > 64)) {
                if (first) {
                    throw corrupt("the data is not an age v1 file: it does not start with the line '"
                            + AgePrimitives.VERSION_LINE + "'");
                }
                throw corrupt("malformed age header: line longer than " + MAX_LINE + " bytes");
            }
        }
    }

    private static BackupException corrupt(String message) {
        return new BackupException(CoreErrorCode.CORRUPT_DATA, message);
    }
}
