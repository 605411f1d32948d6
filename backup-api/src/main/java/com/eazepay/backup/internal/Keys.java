package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;

import java.util.regex.Pattern;

/** Validation of storage keys and names used in keys. */
public final class Keys {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    private Keys() {
    }

    /**
     * Checks a storage key: relative, {@code /}-separated, no empty, {@code .} or {@code ..} segments.
     *
     * @throws IllegalArgumentException naming the bad key
     */
    public static String validate(String key) {
        if (key == null || key.isEmpty() || key.startsWith("/") || key.endsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid storage key '" + key + "': must be a relative path with / separators");
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("invalid storage key '" + key + "': empty, '.' or '..' segment");
            }
        }
        return key;
    }

    /** Whether {@code name} is a valid source or stream name. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /**
     * Checks a source or stream name.
     *
     * @throws BackupException {@code INVALID_CONFIGURATION} naming the bad value and the rule
     */
    public static String requireName(String what, String name) {
        if (!isValidName(name)) {
            throw new BackupException(CoreErrorCode.INVALID_CONFIGURATION, what + " '" + name
                    + "' is invalid: use 1-63 characters from a-z, 0-9, '.', '_', '-', starting with a letter or digit");
        }
        return name;
    }
}
