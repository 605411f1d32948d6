package com.eazepay.backup.storage;

import com.eazepay.backup.BackupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * Retry with exponential backoff and full jitter for operations that fail with a retryable
 * {@link BackupException}. Immutable and thread-safe. Storage plug-ins use it per request and per
 * upload part; {@link RetryingStorage} applies it to a whole {@code StorageTarget}.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).initialBackoff(Duration.ofMillis(200)).build();
 * ObjectInfo info = policy.call("stat", storage.describe(), () -> storage.stat(key)).orElseThrow();
 * }</pre>
 */
public final class RetryPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(RetryPolicy.class);

    /** Default number of attempts, including the first: {@value}. */
    public static final int DEFAULT_MAX_ATTEMPTS = 5;
    /** Default delay before the second attempt: 200 ms. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofMillis(200);
    /** Default cap on a single delay: 10 s. */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(10);

    private static final RetryPolicy DEFAULTS = builder().build();
    private static final RetryPolicy NONE = builder().maxAttempts(1).build();

    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Sleeper sleeper;

    private RetryPolicy(Builder b) {
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.sleeper = b.sleeper;
    }

    /** 5 attempts, 200 ms initial backoff doubling up to 10 s, with jitter. */
    public static RetryPolicy defaults() {
        return DEFAULTS;
    }

    /** A single attempt: no retries. */
    public static RetryPolicy none() {
        return NONE;
    }

    public static Builder builder() {
        return new Builder();
    }

    public int maxAttempts() {
        return maxAttempts;
    }

    /**
     * The delay before attempt {@code attempt + 1}: a random duration between half and all of
     * {@code min(maxBackoff, initialBackoff * 2^(attempt-1))}.
     */
    public Duration backoff(int attempt) {
        long base = initialBackoff.toMillis();
        long cap = maxBackoff.toMillis();
        long exp = base << Math.min(30, Math.max(0, attempt - 1));
        long ceiling = Math.min(cap, exp < 0 ? cap : exp);
        long half = ceiling / 2;
        return Duration.ofMillis(half + (half > 0 ? ThreadLocalRandom.current().nextLong(half + 1) : 0));
    }

    /**
     * Runs {@code call}, retrying it while it throws a retryable {@link BackupException} and
     * attempts remain. Non-retryable exceptions and the last failure are thrown unchanged.
     *
     * @param operation short name for logs, e.g. {@code put part 3}
     * @param resource  credential-free resource description, e.g. {@code s3://bucket/key}
     */
    public <T> T call(String operation, String resource, Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (BackupException e) {
                if (!e.isRetryable() || attempt >= maxAttempts) {
                    throw e;
                }
                Duration delay = backoff(attempt);
                LOG.warn("{} on {} failed ({}: {}), attempt {}/{}, retrying in {} ms",
                        operation, resource, e.errorCode().name(), e.getMessage(), attempt, maxAttempts, delay.toMillis());
                sleeper.sleep(delay);
            }
        }
    }

    /** Like {@link #call} for an operation with no result. */
    public void run(String operation, String resource, Runnable call) {
        call(operation, resource, () -> {
            call.run();
            return null;
        });
    }

    @Override
    public String toString() {
        return "RetryPolicy[maxAttempts=" + maxAttempts + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + "]";
    }

    /** Builds a {@link RetryPolicy}. */
    public static final class Builder {
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration initialBackoff = DEFAULT_INITIAL_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private Sleeper sleeper = Sleeper.system();

        private Builder() {
        }

        /** Attempts including the first, 1 to 100. Default {@value RetryPolicy#DEFAULT_MAX_ATTEMPTS}. */
        public Builder maxAttempts(int maxAttempts) {
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be between 1 and 100, was " + maxAttempts);
            }
            this.maxAttempts = maxAttempts;
            return this;
        }

        /** Delay before the second attempt, ≥ 0. Default 200 ms. */
        public Builder initialBackoff(Duration initialBackoff) {
            Objects.requireNonNull(initialBackoff, "initialBackoff");
            if (initialBackoff.isNegative()) {
                throw new IllegalArgumentException("initialBackoff must be >= 0, was " + initialBackoff);
            }
            this.initialBackoff = initialBackoff;
            return this;
        }

        /** Cap on a single delay, ≥ 0. Default 10 s. */
        public Builder maxBackoff(Duration maxBackoff) {
            Objects.requireNonNull(maxBackoff, "maxBackoff");
            if (maxBackoff.isNegative()) {
                throw new IllegalArgumentException("maxBackoff must be >= 0, was " + maxBackoff);
            }
            this.maxBackoff = maxBackoff;
            return this;
        }

        /** How to wait; tests pass a recording sleeper. Default {@link Sleeper#system()}. */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        public RetryPolicy build() {
            return new RetryPolicy(this);
        }
    }
}
