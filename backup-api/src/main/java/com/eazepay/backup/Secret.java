package com.eazepay.backup;

import java.util.Arrays;
import java.util.Objects;

/**
 * A password, token or key. {@link #toString()} never shows the value; call {@link #reveal()} only
 * where the value is handed to the component that needs it (a child's environment, a driver).
 */
public final class Secret {

    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    /** Wraps a secret value. */
    public static Secret of(String value) {
        return new Secret(Objects.requireNonNull(value, "value").toCharArray());
    }

    /** Wraps a secret value; the array is copied. */
    public static Secret of(char[] value) {
        return new Secret(Objects.requireNonNull(value, "value").clone());
    }

    /** The value, for handing to the component that needs it. Never log it. */
    public String reveal() {
        return new String(value);
    }

    /** A copy of the value as characters. */
    public char[] revealChars() {
        return value.clone();
    }

    /** Whether the value is empty. */
    public boolean isEmpty() {
        return value.length == 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "Secret[****]";
    }
}
