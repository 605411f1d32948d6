package com.eazepay.backup.spi;

/**
 * The words that finish a plug-in's post-restore check with a {@link Bound}: implement {@link #is(Bound)} and the
 * check's builder gets {@code atLeast}, {@code atMost}, {@code exactly} and {@code between} with the same meaning in
 * every module (e.g. the Redis module's {@code Check.keys("user:*").atLeast(1)}).
 *
 * @param <C> the check type built
 */
public interface CheckBounds<C> {

    /** The check holds when the measured number falls in {@code bound}. */
    C is(Bound bound);

    /** The check holds when the number is at least {@code n}. */
    default C atLeast(long n) {
        return is(Bound.atLeast(n));
    }

    /** The check holds when the number is at most {@code n}. */
    default C atMost(long n) {
        return is(Bound.atMost(n));
    }

    /** The check holds when the number equals {@code n}. */
    default C exactly(long n) {
        return is(Bound.exactly(n));
    }

    /** The check holds when the number is between {@code min} and {@code max}, both included. */
    default C between(long min, long max) {
        return is(Bound.between(min, max));
    }
}
