package com.eazepay.backup.benchmarks;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;

/**
 * A mongo-java-server (memory backend) in a JVM of its own, for {@link MongoBench}: bound to 127.0.0.1 and the
 * port given as the only argument, it prints {@code ready} once listening, answers a {@code gc} line on its
 * standard input with a full collection and {@code gc done}, and stops when its standard input ends (the
 * benchmark closes it, or dies). Run as a separate process it stands where a {@code mongod} would:
 * its CPU, allocations and GC are its own, not the client JVM's.
 */
public final class MongoServerMain {

    private MongoServerMain() {
    }

    /** {@code port}. */
    public static void main(String[] args) throws IOException {
        MongoServer server = new MongoServer(new MemoryBackend());
        server.bind("127.0.0.1", Integer.parseInt(args[0]));
        System.out.println("ready");
        System.out.flush();
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8));
        try {
            String line;
            while ((line = in.readLine()) != null) {
                if (line.equals("gc")) {
                    // between two timed runs: the garbage of the last one (a dropped database) is not the next one's cost
                    System.gc();
                    System.out.println("gc done");
                    System.out.flush();
                }
            }
        } finally {
            server.shutdownNow();
        }
    }
}
