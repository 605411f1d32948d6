package com.eazepay.backup.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Instants on the command line: {@code 2026-11-24T02:00:00Z}, {@code 2026-11-24} (00:00 UTC) or {@code 90d} (ago). */
final class Times {

    private static final Pattern AGO = Pattern.compile("(\\d+)([mhdw])");

    private Times() {
    }

    static Instant parse(String s, String option, Clock clock) {
        try {
            return OffsetDateTime.parse(s).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        try {
            return LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
        } catch (DateTimeParseException ignored) {
            // try the other forms
        }
        Matcher m = AGO.matcher(s);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d = switch (m.group(2)) {
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                case "d" -> Duration.ofDays(n);
                default -> Duration.ofDays(7 * n);
            };
            return clock.instant().minus(d);
        }
        throw new Main.UsageException(option + " '" + s + "' is not a time: use 2026-11-24T02:00:00Z, 2026-11-24 (UTC) or 90d (ago)");
    }
}
