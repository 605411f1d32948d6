package com.eazepay.backup.mongo;

import com.eazepay.backup.CheckResult;
import com.mongodb.client.MongoClient;
import org.bson.BsonDocument;

import java.util.Objects;
import java.util.function.Function;

/**
 * A post-restore assertion on a restored collection, added with {@link MongoTarget#check(Check...)}:
 * {@code Check.mongo("users").countAtLeast(1)}, {@code Check.mongo("users").where("{\"country\": \"US\"}").countEquals(12)}.
 * The collection is resolved in the restore's target database ({@link MongoTarget#database}); with
 * {@link MongoTarget#sameDatabases()} name it {@code db.collection}. Immutable.
 */
public final class Check {

    private final String collection;
    private final String filterJson;
    private final String expectation;
    private final long bound;

    private Check(String collection, String filterJson, String expectation, long bound) {
        this.collection = collection;
        this.filterJson = filterJson;
        this.expectation = expectation;
        this.bound = bound;
    }

    /** Starts a check on a restored collection. */
    public static On mongo(String collection) {
        return new On(Objects.requireNonNull(collection, "collection"), "{}");
    }

    /** The first half of a check: which documents. */
    public static final class On {
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

        /** Holds when at least {@code n} documents match. */
        public Check countAtLeast(long n) {
            return new Check(collection, filterJson, ">=", n);
        }

        /** Holds when exactly {@code n} documents match. */
        public Check countEquals(long n) {
            return new Check(collection, filterJson, "==", n);
        }

        /** Holds when at most {@code n} documents match. */
        public Check countAtMost(long n) {
            return new Check(collection, filterJson, "<=", n);
        }
    }

    /** What is checked, e.g. {@code count users {} >= 1}. */
    public String name() {
        return "count " + collection + " " + filterJson + " " + expectation + " " + bound;
    }

    String collection() {
        return collection;
    }

    /** Runs the check; {@code resolve} maps the configured name to {@code {db, collection}}. */
    CheckResult run(MongoClient client, Function<String, String[]> resolve) {
        String[] ns = resolve.apply(collection);
        long count = client.getDatabase(ns[0]).getCollection(ns[1], BsonDocument.class)
                .countDocuments(BsonDocument.parse(filterJson));
        boolean ok = switch (expectation) {
            case ">=" -> count >= bound;
            case "<=" -> count <= bound;
            default -> count == bound;
        };
        String detail = "expected " + expectation + " " + bound + ", found " + count + " in " + ns[0] + "." + ns[1];
        return ok ? CheckResult.passed(name(), detail) : CheckResult.failed(name(), detail);
    }

    @Override
    public String toString() {
        return "Check[" + name() + "]";
    }
}
