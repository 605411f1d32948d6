package com.eazepay.backup.spi;

/**
 * An inclusive range a measured number must fall in, shared by the post-restore checks of every
 * plug-in ({@code PostgreSQL Check.sql(..).atLeast(1)}, {@code MongoDB Check.mongo(..).exactly(12)}), so
 * the comparison words and the messages are the same everywhere. Immutable value; thread-safe.
 *
 * @param min the smallest value that holds ({@link Long#MIN_VALUE}: no lower limit)
 * @param max the largest value that holds ({@link Long#MAX_VALUE}: no upper limit)
 */
public record Bound(long min, long max) {

    /** @throws IllegalArgumentException when {@code min > max} */
    public Bound {
        if (min > max) {
            throw new IllegalArgumentException("empty bound: min " + min + " > max " + max);
        }
    }

    /** Holds for {@code n} and more. */
    public static Bound atLeast(long n) {
        return new Bound(n, Long.MAX_VALUE);
    }

    /** Holds for {@code n} and less. */
    public static Bound atMost(long n) {
        return new Bound(Long.MIN_VALUE, n);
    }

    /** Holds for {@code n} only. */
    public static Bound exactly(long n) {
        return new Bound(n, n);
    }

    /** Holds from {@code min} to {@code max}, both included. */
    public static Bound between(long min, long max) {
        return new Bound(min, max);
    }

    /** Whether {@code value} is inside the bound. */
    public boolean test(long value) {
        return value >= min && value <= max;
    }

    /** The bound as a short formula: {@code >= 1}, {@code <= 5}, {@code = 0}, {@code between 1 and 5}. */
    public String describe() {
        if (min == max) {
            return "= " + min;
        }
        if (max == Long.MAX_VALUE) {
            return ">= " + min;
        }
        if (min == Long.MIN_VALUE) {
            return "<= " + max;
        }
        return "between " + min + " and " + max;
    }

    /** The expectation for a check result's detail, e.g. {@code expected >= 1}. */
    public String expectation() {
        return "expected " + describe();
    }

    @Override
    public String toString() {
        return describe();
    }
}
