package com.eazepay.backup.mongo;

import com.eazepay.backup.CheckResult;
import com.eazepay.backup.spi.Bound;
import com.mongodb.client.MongoClient;
import org.bson.BsonDocument;

import java.util.Objects;
import java.util.function.Function;

/**
 * A post-restore assertion on a restored collection, added with {@link MongoTarget#check(Check...)}:
 * {@code Check.mongo("users").atLeast(1)}, {@code Check.mongo("users").where("{\"country\": \"US\"}").exactly(12)}:
 * the number of matching documents must fall in a {@link Bound} (the same words as the PostgreSQL
 * module's checks: {@code atLeast}, {@code atMost}, {@code exactly}, {@code between}).
 * The collection is resolved in the restore's target database ({@link MongoTarget#database}); with
 * {@link MongoTarget#sameDatabases()} name it {@code db.collection}. Immutable.
 */
public final class Check {

    private final String collection;
    private final String filterJson;
    private final Bound bound;

    private Check(String collection, String filterJson, Bound bound) {
        this.collection = collection;
        this.filterJson = filterJson;
        this.bound = Objects.requireNonNull(bound, "bound");
    }

    /** Starts a check on a restored collection. */
    public static On mongo(String collection) {
        return new On(Objects.requireNonNull(collection, "collection"), "{}");
    }

    /** The first half of a check: which documents. */
    public static final class On implements com.eazepay.backup.spi.CheckBounds<Check> {
        private final String collection;
        private final String filterJson;

        private On(String collection, String filterJson) {
            this.collection = collection;
            this.filterJson = filterJson;
        }

        /** Only documents matching this filter (Extended JSON), e.g. {@code {"status": "settled"}}. */
        public On where(String filterJson) {
            BsonDocument.parse(filterJson); // fail early on invalid JSON
            return new On(collection, filterJson);
        }

        /** Holds when the number of matching documents falls in {@code bound}. */
        @Override
        public Check is(Bound bound) {
            return new Check(collection, filterJson, bound);
        }
    }

    /** What is checked, e.g. {@code count users {} >= 1}. */
    public String name() {
        return "count " + collection + " " + filterJson + " " + bound.describe();
    }

    /** The range the count must fall in. */
    public Bound bound() {
        return bound;
    }

    String collection() {
        return collection;
    }

    /** Runs the check; {@code resolve} maps the configured name to {@code {db, collection}}. */
    CheckResult run(MongoClient client, Function<String, String[]> resolve) {
        String[] ns = resolve.apply(collection);
        long count = client.getDatabase(ns[0]).getCollection(ns[1], BsonDocument.class)
                .countDocuments(BsonDocument.parse(filterJson));
        boolean ok = bound.test(count);
        String detail = bound.expectation() + ", found " + count + " in " + ns[0] + "." + ns[1];
        return ok ? CheckResult.passed(name(), detail) : CheckResult.failed(name(), detail);
    }

    @Override
    public String toString() {
        return "Check[" + name() + "]";
    }
}
