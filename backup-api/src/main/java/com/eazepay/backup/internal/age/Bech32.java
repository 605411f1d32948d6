package com.eazepay.backup.internal.age;

import java.io.ByteArrayOutputStream;
import java.util.Locale;

/**
 * Bech32 (BIP 173, original checksum constant 1, not Bech32m) as age uses it: no 90-character
 * limit, all-lowercase or all-uppercase strings.
 */
public final class Bech32 {

    private static final String CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    private static final int[] GENERATOR = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};

    private Bech32() {
    }

    /** The decoded human-readable part (lowercase) and data bytes. */
    public record Decoded(String hrp, byte[] data) {
    }

    /** Encodes {@code data} with the lowercase {@code hrp}; the result is lowercase. */
    public static String encode(String hrp, byte[] data) {
        byte[] values = convertBits(data, 8, 5, true);
        byte[] checksum = checksum(hrp, values);
        StringBuilder sb = new StringBuilder(hrp.length() + 1 + values.length + 6);
        sb.append(hrp).append('1');
        for (byte v : values) {
            sb.append(CHARSET.charAt(v));
        }
        for (byte v : checksum) {
            sb.append(CHARSET.charAt(v));
        }
        return sb.toString();
    }

    /**
     * Decodes a Bech32 string.
     *
     * @throws IllegalArgumentException with a reason that never contains the input
     */
    public static Decoded decode(String s) {
        boolean lower = false;
        boolean upper = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 33 || c > 126) {
                throw new IllegalArgumentException("invalid character at position " + i);
            }
            lower |= c >= 'a' && c <= 'z';
            upper |= c >= 'A' && c <= 'Z';
        }
        if (lower && upper) {
            throw new IllegalArgumentException("mixed upper and lower case");
        }
        String str = s.toLowerCase(Locale.ROOT);
        int sep = str.lastIndexOf('1');
        if (sep < 1 || sep + 7 > str.length()) {
            throw new IllegalArgumentException("missing separator '1' or checksum");
        }
        String hrp = str.substring(0, sep);
        byte[] values = new byte[str.length() - sep - 1];
        for (int i = 0; i < values.length; i++) {
            int v = CHARSET.indexOf(str.charAt(sep + 1 + i));
            if (v < 0) {
                throw new IllegalArgumentException("invalid Bech32 character at position " + (sep + 1 + i));
            }
            values[i] = (byte) v;
        }
        if (polymod(hrp, values, null) != 1) {
            throw new IllegalArgumentException("checksum mismatch (a character is wrong or missing)");
        }
        byte[] payload = new byte[values.length - 6];
        System.arraycopy(values, 0, payload, 0, payload.length);
        return new Decoded(hrp, convertBits(payload, 5, 8, false));
    }

    private static byte[] checksum(String hrp, byte[] values) {
        int mod = polymod(hrp, values, new byte[6]) ^ 1;
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) ((mod >>> (5 * (5 - i))) & 31);
        }
        return out;
    }

    private static int polymod(String hrp, byte[] values, byte[] tail) {
        int chk = 1;
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) >> 5);
        }
        chk = step(chk, 0);
        for (int i = 0; i < hrp.length(); i++) {
            chk = step(chk, hrp.charAt(i) & 31);
        }
        for (byte v : values) {
            chk = step(chk, v);
        }
        if (tail != null) {
            for (byte v : tail) {
                chk = step(chk, v);
            }
        }
        return chk;
    }

    private static int step(int chk, int v) {
        int top = chk >>> 25;
        chk = ((chk & 0x1ffffff) << 5) ^ v;
        for (int i = 0; i < 5; i++) {
            if (((top >>> i) & 1) != 0) {
                chk ^= GENERATOR[i];
            }
        }
        return chk;
    }

    private static byte[] convertBits(byte[] in, int from, int to, boolean pad) {
        int acc = 0;
        int bits = 0;
        int maxv = (1 << to) - 1;
        ByteArrayOutputStream out = new ByteArrayOutputStream(in.length * from / to + 1);
        for (byte b : in) {
            int value = b & 0xff;
            if ((value >>> from) != 0) {
                throw new IllegalArgumentException("invalid data value");
            }
            acc = (acc << from) | value;
            bits += from;
            while (bits >= to) {
                bits -= to;
                out.write((acc >>> bits) & maxv);
            }
        }
        if (pad) {
            if (bits > 0) {
                out.write((acc << (to - bits)) & maxv);
            }
        } else if (bits >= from || ((acc << (to - bits)) & maxv) != 0) {
            throw new IllegalArgumentException("invalid padding");
        }
        return out.toByteArray();
    }
}
