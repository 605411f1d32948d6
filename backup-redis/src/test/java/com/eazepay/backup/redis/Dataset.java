package com.eazepay.backup.redis;

import com.eazepay.backup.redis.internal.RespConnection;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Fills a server with every value type and encoding, and snapshots a server's content for comparison. */
final class Dataset {

    private Dataset() {
    }

    /** Writes the test dataset; returns the number of keys per db. */
    static Map<Integer, Integer> fill(TestRedis r) {
        Map<Integer, Integer> counts = new TreeMap<>();
        try (RespConnection c = r.connect()) {
            List<Object[]> cmds = new ArrayList<>();
            // db0: every type, small (listpack/intset) and large (hashtable/skiplist/quicklist) encodings
            cmds.add(new Object[]{"SELECT", "0"});
            cmds.add(new Object[]{"SET", "str:small", "hello"});
            cmds.add(new Object[]{"SET", "str:int", "12345"});
            cmds.add(new Object[]{"SET", "str:neg", "-70000"});
            cmds.add(new Object[]{"SET", "str:compressible", "a".repeat(5000)});
            cmds.add(new Object[]{"SET", "key-that-is-long-and-compressible-" + "x".repeat(80), "v"});
            byte[] binary = new byte[20_000];
            for (int i = 0; i < binary.length; i++) {
                binary[i] = (byte) (i * 31 + (i >> 7));
            }
            cmds.add(new Object[]{"SET", "str:binary", binary});
            cmds.add(new Object[]{"RPUSH", "list:small", "a", "b", "c", "1", "2"});
            for (int i = 0; i < 2000; i++) {
                cmds.add(new Object[]{"RPUSH", "list:big", "element-" + i + "-" + "y".repeat(i % 50)});
            }
            cmds.add(new Object[]{"RPUSH", "list:plain", "p".repeat(20_000), "small"});
            cmds.add(new Object[]{"SADD", "set:ints", "1", "2", "3", "100000", "-5"});
            cmds.add(new Object[]{"SADD", "set:small", "alpha", "beta", "gamma"});
            for (int i = 0; i < 1000; i++) {
                cmds.add(new Object[]{"SADD", "set:big", "member-" + i});
            }
            cmds.add(new Object[]{"ZADD", "zset:small", "1", "one", "2.5", "two", "-3", "three"});
            for (int i = 0; i < 500; i++) {
                cmds.add(new Object[]{"ZADD", "zset:big", Double.toString(i * 1.5), "m" + i});
            }
            cmds.add(new Object[]{"ZADD", "zset:big", "inf", "top", "-inf", "bottom"});
            cmds.add(new Object[]{"HSET", "hash:small", "f1", "v1", "f2", "2"});
            for (int i = 0; i < 1000; i++) {
                cmds.add(new Object[]{"HSET", "hash:big", "field" + i, "value" + i});
            }
            for (int i = 0; i < 50; i++) {
                cmds.add(new Object[]{"XADD", "stream:events", (1000 + i) + "-1", "n", Integer.toString(i), "kind", "test"});
            }
            cmds.add(new Object[]{"XGROUP", "CREATE", "stream:events", "workers", "0"});
            cmds.add(new Object[]{"XGROUP", "CREATE", "stream:events", "auditors", "$"});
            cmds.add(new Object[]{"XREADGROUP", "GROUP", "workers", "alice", "COUNT", "5", "STREAMS", "stream:events", ">"});
            cmds.add(new Object[]{"XREADGROUP", "GROUP", "workers", "bob", "COUNT", "3", "STREAMS", "stream:events", ">"});
            cmds.add(new Object[]{"XACK", "stream:events", "workers", "1000-1"});
            cmds.add(new Object[]{"XDEL", "stream:events", "1010-1"});
            for (int i = 0; i < 10; i++) {
                cmds.add(new Object[]{"SET", "session:" + i, "token-" + i, "PX", Long.toString(3_600_000L + i)});
            }
            cmds.add(new Object[]{"HSET", "expiring:hash", "a", "1"});
            cmds.add(new Object[]{"PEXPIRE", "expiring:hash", "7200000"});
            // db1 and db3
            cmds.add(new Object[]{"SELECT", "1"});
            for (int i = 0; i < 100; i++) {
                cmds.add(new Object[]{"SET", "db1:key:" + i, "value" + i});
            }
            cmds.add(new Object[]{"SELECT", "3"});
            cmds.add(new Object[]{"RPUSH", "queue", "job1", "job2"});
            cmds.add(new Object[]{"SET", "ttl", "x", "EX", "86400"});
            for (Object[] cmd : cmds) {
                c.send(cmd);
            }
            c.flush();
            for (Object[] cmd : cmds) {
                Object reply = c.read();
                if (reply instanceof RespConnection.RespError e) {
                    throw new IllegalStateException(String.join(" ", cmd[0].toString()) + ": " + e.message());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        counts.put(0, 28);
        counts.put(1, 100);
        counts.put(3, 2);
        return counts;
    }

    /** Every key of every database with its type, content and TTL (rounded to minutes), as text. */
    static Map<String, String> snapshot(TestRedis r) {
        Map<String, String> out = new TreeMap<>();
        try (RespConnection c = r.connect()) {
            for (int db = 0; db < 16; db++) {
                c.call("SELECT", Integer.toString(db));
                String cursor = "0";
                do {
                    List<?> reply = (List<?>) c.call("SCAN", cursor, "COUNT", "1000");
                    cursor = s(reply.get(0));
                    for (Object k : (List<?>) reply.get(1)) {
                        String key = s(k);
                        String type = (String) c.call("TYPE", k);
                        String content = switch (type) {
                            case "string" -> s(c.call("GET", k));
                            case "list" -> text(c.call("LRANGE", k, "0", "-1"));
                            case "set" -> sorted(c.call("SMEMBERS", k));
                            case "zset" -> text(c.call("ZRANGE", k, "0", "-1", "WITHSCORES"));
                            case "hash" -> sorted(c.call("HGETALL", k));
                            case "stream" -> text(c.call("XRANGE", k, "-", "+")) + " groups=" + text(c.call("XINFO", "GROUPS", k))
                                    + " pending=" + text(c.call("XPENDING", k, "workers"));
                            default -> "?";
                        };
                        long pttl = (Long) c.call("PTTL", k);
                        out.put(db + "/" + key, type + " ttl~" + (pttl < 0 ? pttl : pttl / 1000) + " " + shorten(content));
                    }
                } while (!"0".equals(cursor));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    /**
     * Asserts both snapshots hold the same keys with equal type and content, and TTLs (in seconds)
     * within two minutes of each other: the test run itself takes time.
     */
    static void assertSame(Map<String, String> actual, Map<String, String> expected) {
        org.assertj.core.api.Assertions.assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            String[] want = e.getValue().split(" ", 3);
            String[] got = actual.get(e.getKey()).split(" ", 3);
            org.assertj.core.api.Assertions.assertThat(got[0] + " " + (got.length > 2 ? got[2] : "")).as(e.getKey())
                    .isEqualTo(want[0] + " " + (want.length > 2 ? want[2] : ""));
            long wantTtl = Long.parseLong(want[1].substring(4));
            long gotTtl = Long.parseLong(got[1].substring(4));
            if (wantTtl < 0 || gotTtl < 0) {
                org.assertj.core.api.Assertions.assertThat(gotTtl).as("TTL of " + e.getKey()).isEqualTo(wantTtl);
            } else {
                org.assertj.core.api.Assertions.assertThat(gotTtl).as("TTL of " + e.getKey()).isBetween(wantTtl - 120, wantTtl + 120);
            }
        }
    }

    /** Long contents as length + SHA-256, so a failed comparison prints readably. */
    private static String shorten(String content) {
        if (content.length() <= 200) {
            return content;
        }
        try {
            byte[] h = java.security.MessageDigest.getInstance("SHA-256").digest(content.getBytes(StandardCharsets.ISO_8859_1));
            return "len=" + content.length() + " sha256=" + java.util.HexFormat.of().formatHex(h);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String s(Object o) {
        return o instanceof byte[] b ? new String(b, StandardCharsets.ISO_8859_1) : String.valueOf(o);
    }

    private static String text(Object o) {
        if (o instanceof List<?> l) {
            List<String> parts = new ArrayList<>();
            for (Object e : l) {
                parts.add(text(e));
            }
            return parts.toString();
        }
        return s(o);
    }

    private static String sorted(Object o) {
        List<String> parts = new ArrayList<>();
        for (Object e : (List<?>) o) {
            parts.add(s(e));
        }
        parts.sort(null);
        return parts.toString();
    }
}
