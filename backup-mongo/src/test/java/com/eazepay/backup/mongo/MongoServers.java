package com.eazepay.backup.mongo;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** In-process mongo-java-server instances on 127.0.0.1 and a free port. */
final class MongoServers {

    private MongoServers() {
    }

    static MongoServer start(boolean oplog) {
        MongoServer server = new MongoServer(new MemoryBackend());
        if (oplog) {
            server.enableOplog();
        }
        server.bind("127.0.0.1", freePort());
        return server;
    }

    static String uri(MongoServer server) {
        InetSocketAddress a = server.getLocalAddress();
        return "mongodb://127.0.0.1:" + a.getPort();
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
