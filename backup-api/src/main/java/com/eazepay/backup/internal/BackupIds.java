package com.eazepay.backup.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/** Backup ids that sort by time: {@code 20261124T020000Z-k3f9qa} (UTC start second + 6 random base-36 chars). */
public final class BackupIds {

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern ID = Pattern.compile("\\d{8}T\\d{6}Z-[a-z0-9]{6}");
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupIds() {
    }

    public static String generate(Instant start) {
        StringBuilder sb = new StringBuilder(FORMAT.format(start.truncatedTo(ChronoUnit.SECONDS))).append('-');
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The start time encoded in an id. */
    public static Optional<Instant> time(String id) {
        if (!isValid(id)) {
            return Optional.empty();
        }
        return Optional.of(java.time.LocalDateTime.parse(id.substring(0, 16), DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'"))
                .toInstant(ZoneOffset.UTC));
    }
}
