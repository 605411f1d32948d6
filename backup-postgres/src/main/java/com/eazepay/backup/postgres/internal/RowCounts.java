package com.eazepay.backup.postgres.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.Manifest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact per-table row counts: taken inside the backup's snapshot while pg_dump runs ({@link Counter}),
 * recorded in the manifest, and compared with the restored database's ({@link #check}). Moved out of
 * {@code PostgresSource}, which the restore borrowed them from.
 */
public final class RowCounts {

    private static final Logger LOG = LoggerFactory.getLogger(RowCounts.class);

    private RowCounts() {
    }

    public static Map<String, Long> count(Connection c, TableFilter filter) throws SQLException {
        return count(c, filter, null, st -> { }, () -> false);
    }

    /**
     * Exact row counts, keyed {@code schema.table}, of every table whose data pg_dump dumps with these switches.
     * {@code onStatement} receives the statement running the counts (to cancel it); {@code stop} ends the loop.
     */
    public static Map<String, Long> count(Connection c, TableFilter filter, TableFilter zeroData,
                                       java.util.function.Consumer<Statement> onStatement,
                                       java.util.function.BooleanSupplier stop) throws SQLException {
        List<String[]> selected = new ArrayList<>();
        try (Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select n.nspname, c.relname, pg_table_is_visible(c.oid)"
                     + " from pg_class c join pg_namespace n on n.oid = c.relnamespace"
                     + " where c.relkind = 'r' and n.nspname <> 'information_schema'"
                     + " and n.nspname !~ '^pg_(catalog|toast|temp_|toast_temp_)'"
                     + " and not exists (select 1 from pg_depend d where d.classid = 'pg_class'::regclass"
                     + " and d.objid = c.oid and d.deptype = 'e')"
                     + " order by 1, 2")) {
            while (rs.next()) {
                if (filter.includes(rs.getString(1), rs.getString(2), rs.getBoolean(3))) {
                    selected.add(new String[] {rs.getString(1), rs.getString(2), Boolean.toString(rs.getBoolean(3))});
                }
            }
        }
        Map<String, Long> counts = new TreeMap<>();
        try (Statement st = c.createStatement()) {
            onStatement.accept(st);
            for (String[] t : selected) {
                if (stop.getAsBoolean()) {
                    throw new SQLException("row counting cancelled", "57014");
                }
                if (zeroData != null && zeroData.includes(t[0], t[1], Boolean.parseBoolean(t[2]))) {
                    counts.put(t[0] + "." + t[1], 0L); // --exclude-table-data: dumped without rows
                    continue;
                }
                try (ResultSet rs = st.executeQuery("select count(*) from " + Identifiers.quote(t[0]) + "."
                        + Identifiers.quote(t[1]))) {
                    rs.next();
                    counts.put(t[0] + "." + t[1], rs.getLong(1));
                } catch (SQLException e) {
                    throw new SQLException("count(*) of " + t[0] + "." + t[1] + " failed: " + e.getMessage(), e.getSQLState(), e);
                }
            }
        }
        return counts;
    }

    /**
     * Counts rows on its own thread, on the snapshot connection, while pg_dump runs. {@link #close()} cancels an
     * unfinished count and waits for the thread, so the connection is free again afterwards.
     */
    public static final class Counter implements AutoCloseable {
        private final java.util.concurrent.CompletableFuture<Map<String, Long>> result = new java.util.concurrent.CompletableFuture<>();
        private final Thread thread;
        private volatile Statement current;
        private volatile boolean cancelled;

        /**
         * Counts on a connection of its own that imports {@code snapshot}, with the role's statement and idle
         * timeouts cleared and {@code lock_timeout} = {@code lockWait}, so a failing count neither aborts the
         * exporting transaction nor hides behind a misleading snapshot error.
         */
        public Counter(ConnectionSettings settings, String snapshot, Duration lockWait, TableFilter filter, TableFilter zeroData) {
            this.thread = new Thread(() -> {
                try (Connection c = settings.connect("row counts")) {
                    try (Statement st = c.createStatement()) {
                        st.execute("SET statement_timeout = 0");
                        st.execute("SET idle_in_transaction_session_timeout = 0");
                        st.execute("SET lock_timeout = " + lockWait.toMillis());
                    }
                    c.setAutoCommit(false);
                    try (Statement st = c.createStatement()) {
                        st.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
                        st.execute("SET TRANSACTION SNAPSHOT " + Identifiers.literal(snapshot));
                    }
                    result.complete(count(c, filter, zeroData, st -> current = st, () -> cancelled));
                    c.rollback();
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            }, "pg-rowcount");
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the counts. */
        public Map<String, Long> await() throws SQLException {
            try {
                return result.get();
            } catch (java.util.concurrent.ExecutionException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new BackupException(CoreErrorCode.INTERNAL, "row counting failed: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BackupException(CoreErrorCode.INTERRUPTED, "row counting was cancelled: the calling thread was interrupted", e);
            }
        }

        public int tables() {
            return result.isDone() && !result.isCompletedExceptionally() ? result.join().size() : 0;
        }

        @Override
        public void close() {
            if (!result.isDone()) {
                cancelled = true;
                Statement st = current;
                if (st != null) {
                    try {
                        st.cancel();
                    } catch (SQLException e) {
                        LOG.debug("cancelling the row count failed: {}", e.toString());
                    }
                }
            }
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public static CheckResult check(String table, Long expected, Long found) {
        String name = "rows " + table;
        if (found == null) {
            return CheckResult.failed(name, "expected " + expected + ", table missing");
        }
        return expected.equals(found) ? CheckResult.passed(name, "expected " + expected + ", found " + found)
                : CheckResult.failed(name, "expected " + expected + ", found " + found);
    }

    public static Map<String, Long> expected(Manifest m, String fact) {
        Object v = m.facts().get(fact);
        Map<String, Long> out = new TreeMap<>();
        if (v instanceof Map<?, ?> map) {
            map.forEach((k, n) -> {
                if (n instanceof Number num) {
                    out.put(String.valueOf(k), num.longValue());
                }
            });
        }
        return out;
    }
}
