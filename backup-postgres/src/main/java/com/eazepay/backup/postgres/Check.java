package com.eazepay.backup.postgres;

import com.eazepay.backup.spi.Bound;

import java.util.Objects;

/**
 * A SQL assertion run against a restored database: the query's first column of its first row, read
 * as a number, must fall in a {@link Bound} ({@link Query#atLeast}, {@link Query#atMost},
 * {@link Query#exactly}, {@link Query#between}: the same words as the MongoDB module's checks).
 * Immutable and thread-safe.
 *
 * <pre>{@code
 * PostgresTarget.newDatabase("restore_tmp")
 *     .check(Check.sql("select count(*) from users").atLeast(1))
 *     .check(Check.sql("select count(*) from payments where amount < 0").exactly(0));
 * }</pre>
 *
 * <p>A query that fails, returns no row, or returns a non-number fails the check (its message says why);
 * it never fails the restore itself. Queries run in a read-only transaction.
 */
public final class Check {

    private final String query;
    private final Bound bound;

    private Check(String query, Bound bound) {
        this.query = query;
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /**
     * Starts a check on {@code query}; finish it with {@link Query#atLeast}, {@link Query#atMost},
     * {@link Query#exactly}, {@link Query#between} or {@link Query#is(Bound)}.
     *
     * @param query a SQL query whose first column of its first row is a number (or boolean: true = 1)
     */
    public static Query sql(String query) {
        Objects.requireNonNull(query, "query");
        if (query.isBlank()) {
            throw new IllegalArgumentException("query must not be blank");
        }
        return new Query(query.strip());
    }

    /** The SQL query. */
    public String query() {
        return query;
    }

    /** The range the value must fall in. */
    public Bound bound() {
        return bound;
    }

    /** The check's name in results, e.g. {@code select count(*) from users >= 1}. */
    public String name() {
        return query + " " + bound.describe();
    }

    /** Whether {@code value} satisfies this check. */
    boolean holds(long value) {
        return bound.test(value);
    }

    /** A human-readable expectation, e.g. {@code expected >= 1}. */
    String expectation() {
        return bound.expectation();
    }

    @Override
    public String toString() {
        return "Check[" + name() + "]";
    }

    /** A query waiting for its bound. */
    public static final class Query implements com.eazepay.backup.spi.CheckBounds<Check> {
        private final String query;

        private Query(String query) {
            this.query = query;
        }

        /** The check holds when the value falls in {@code bound}. */
        @Override
        public Check is(Bound bound) {
            return new Check(query, bound);
        }
    }
}
