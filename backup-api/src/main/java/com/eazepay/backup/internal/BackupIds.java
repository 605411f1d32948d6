package com.eazepay.backup.internal;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Backup ids that sort by time: {@code 20261124T020000.123Z-k3f9qa} (UTC start time to the
 * millisecond + 6 random base-36 chars), so ids of backups taken in the same second still sort in the
 * order they started. Ids of earlier versions, {@code 20261124T020000Z-k3f9qa} (to the second), stay
 * valid. Listings order by start time first, then id, so both formats sort together.
 */
public final class BackupIds {

    /** The regular expression of an id, in either format, for use inside larger patterns. */
    public static final String REGEX = "\\d{8}T\\d{6}(?:\\.\\d{3})?Z-[a-z0-9]{6}";

    private static final DateTimeFormatter FORMAT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter SECONDS = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss");
    private static final Pattern ID = Pattern.compile(REGEX);
    private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupIds() {
    }

    public static String generate(Instant start) {
        StringBuilder sb = new StringBuilder(FORMAT.format(start.truncatedTo(ChronoUnit.MILLIS))).append('-');
        for (int i = 0; i < 6; i++) {
            sb.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return sb.toString();
    }

    public static boolean isValid(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The start time encoded in an id (to the millisecond, or to the second for ids of earlier versions). */
    public static Optional<Instant> time(String id) {
        if (!isValid(id)) {
            return Optional.empty();
        }
        Instant seconds = LocalDateTime.parse(id.substring(0, 15), SECONDS).toInstant(ZoneOffset.UTC);
        return Optional.of(id.charAt(15) == '.' ? seconds.plusMillis(Integer.parseInt(id.substring(16, 19))) : seconds);
    }
}
