package com.eazepay.backup.postgres;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A Debian PostgreSQL 15 cluster in a temp directory owned by the OS user postgres (the server refuses root):
 * started with runuser + pg_ctl on a free 127.0.0.1 port and a private socket directory, trust auth.
 */
final class DebianCluster implements AutoCloseable {

    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    final Path dir;
    final int port;

    private DebianCluster(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static boolean available() {
        return Files.isExecutable(BIN.resolve("initdb")) && "root".equals(System.getProperty("user.name"));
    }

    /** initdb + start. */
    static DebianCluster initdb() throws Exception {
        DebianCluster c = new DebianCluster(newDir(), freePort());
        run("runuser", "-u", "postgres", "--", BIN.resolve("initdb").toString(), "-D", c.data().toString(),
                "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale=C.UTF-8");
        c.start();
        return c;
    }

    /** A streaming standby of {@code primary}: pg_basebackup -R, then start. */
    static DebianCluster standbyOf(DebianCluster primary) throws Exception {
        DebianCluster c = new DebianCluster(newDir(), freePort());
        run("runuser", "-u", "postgres", "--", BIN.resolve("pg_basebackup").toString(), "-D", c.data().toString(),
                "-R", "--checkpoint=fast", "-h", "127.0.0.1", "-p", Integer.toString(primary.port), "-U", "postgres",
                "--no-sync");
        c.start();
        return c;
    }

    /**
     * A server already running on {@code dir/data} at {@code port} (one a PITR restore left running); closing it
     * stops it and deletes {@code dir}.
     */
    static DebianCluster running(Path dir, int port) {
        return new DebianCluster(dir, port);
    }

    private static Path newDir() throws Exception {
        Path dir = Files.createTempDirectory("debian-pg15-");
        run("chown", "postgres", dir.toString());
        return dir;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    Path data() {
        return dir.resolve("data");
    }

    private void start() throws Exception {
        run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data().toString(), "-w",
                "-l", dir.resolve("log").toString(), "-o", "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1",
                "start");
    }

    String jdbcUrl(String db) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + db;
    }

    Connection connect(String db) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(db), "postgres", "");
    }

    void exec(String db, String... sql) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            for (String s : sql) {
                st.execute(s);
            }
        }
    }

    List<String> query(String db, String sql) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection c = connect(db); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        return rows;
    }

    static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    @Override
    public void close() throws Exception {
        try {
            run("runuser", "-u", "postgres", "--", BIN.resolve("pg_ctl").toString(), "-D", data().toString(),
                    "-m", "immediate", "stop");
        } finally {
            run("rm", "-rf", dir.toString());
        }
    }
}
