package com.eazepay.backup.postgres;

import java.util.Objects;

/**
 * A SQL assertion run against a restored database: the query's first column of its first row, read
 * as a number, is compared with a bound. Immutable and thread-safe.
 *
 * <pre>{@code
 * PostgresTarget.newDatabase("restore_tmp")
 *     .check(Check.sql("select count(*) from users").atLeast(1))
 *     .check(Check.sql("select count(*) from payments where amount < 0").equalTo(0));
 * }</pre>
 *
 * <p>A query that fails, returns no row, or returns a non-number fails the check (its message says why);
 * it never fails the restore itself. Queries run in a read-only transaction.
 */
public final class Check {

    /** How the value is compared. */
    enum Comparison {
        AT_LEAST(">="), EQUAL_TO("="), AT_MOST("<=");

        private final String symbol;

        Comparison(String symbol) {
            this.symbol = symbol;
        }
    }

    private final String query;
    private final Comparison comparison;
    private final long bound;

    private Check(String query, Comparison comparison, long bound) {
        this.query = query;
        this.comparison = comparison;
        this.bound = bound;
    }

    /**
     * Starts a check on {@code query}; finish it with {@link Query#atLeast}, {@link Query#equalTo} or
     * {@link Query#atMost}.
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

    /** The check's name in results, e.g. {@code select count(*) from users >= 1}. */
    public String name() {
        return query + " " + comparison.symbol + " " + bound;
    }

    /** Whether {@code value} satisfies this check. */
    boolean holds(long value) {
        return switch (comparison) {
            case AT_LEAST -> value >= bound;
            case EQUAL_TO -> value == bound;
            case AT_MOST -> value <= bound;
        };
    }

    /** A human-readable expectation, e.g. {@code expected >= 1}. */
    String expectation() {
        return "expected " + comparison.symbol + " " + bound;
    }

    @Override
    public String toString() {
        return "Check[" + name() + "]";
    }

    /** A query waiting for its bound. */
    public static final class Query {
        private final String query;

        private Query(String query) {
            this.query = query;
        }

        /** The check holds when the value is at least {@code n}. */
        public Check atLeast(long n) {
            return new Check(query, Comparison.AT_LEAST, n);
        }

        /** The check holds when the value equals {@code n}. */
        public Check equalTo(long n) {
            return new Check(query, Comparison.EQUAL_TO, n);
        }

        /** The check holds when the value is at most {@code n}. */
        public Check atMost(long n) {
            return new Check(query, Comparison.AT_MOST, n);
        }
    }
}
