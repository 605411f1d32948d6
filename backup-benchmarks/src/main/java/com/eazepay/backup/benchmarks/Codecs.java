package com.eazepay.backup.benchmarks;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.age.AgeKeys;
import com.eazepay.backup.spi.Compression;
import com.eazepay.backup.spi.Encryption;

import java.util.Locale;

/** Names used on the command line and in tables for the codecs under test. */
final class Codecs {

    private Codecs() {
    }

    /** {@code none}, {@code gzip}, {@code zstd1}, {@code zstd3} (any {@code zstdN}). */
    static Compression compression(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.equals("none")) {
            return Compression.none();
        } else if (n.equals("gzip")) {
            return Compression.gzip();
        } else if (n.startsWith("zstd")) {
            return Compression.zstd(Integer.parseInt(n.substring(4)));
        }
        throw new IllegalArgumentException("unknown compression '" + name + "': use none, gzip, zstd1, zstd3");
    }

    /** {@code none}, or {@code age} with a fresh key pair that can both encrypt and decrypt. */
    static Encryption encryption(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none" -> Encryption.none();
            case "age" -> ageWithFreshKey();
            default -> throw new IllegalArgumentException("unknown encryption '" + name + "': use none or age");
        };
    }

    /** age to a freshly generated X25519 recipient, holding its identity so verify can decrypt. */
    static AgeEncryption ageWithFreshKey() {
        AgeKeys keys = AgeKeys.generate();
        return AgeEncryption.toRecipients(keys.recipient().encoded()).withIdentities(keys.identity());
    }
}
