package com.eazepay.backup.gcs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A small, honest Google Cloud Storage JSON API endpoint on 127.0.0.1, for tests.
 *
 * <p>Why it exists: there is no Java GCS emulator, and the client library's {@code LocalStorageHelper}
 * does not behave like GCS where backups depend on it: it makes an object visible (in {@code get} and
 * {@code list}) as soon as a resumable upload <em>starts</em>, so an interrupted upload leaves a ghost
 * object; its listing truncates at {@code maxResults} without a next page; it has no holds, retention,
 * batch requests, permissions or HTTP error codes. This server implements what
 * {@link GcsStorage} uses, the way GCS documents it:
 * <ul>
 *   <li>resumable uploads: {@code POST /upload/storage/v1/b/B/o?uploadType=resumable} opens a session
 *       (checking {@code ifGenerationMatch}, so {@code 0} gives 412 when the object exists); chunks are
 *       {@code PUT} with {@code Content-Range} and acknowledged with 308 + {@code Range}; the object
 *       appears atomically only when the final chunk arrives (precondition checked again then);
 *       sessions never finalized stay invisible;</li>
 *   <li>object metadata, media download with {@code Range} and {@code generation}, paginated list
 *       ({@code maxResults}, {@code pageToken}), delete, bucket metadata, batch ({@code multipart/mixed});</li>
 *   <li>temporary/event-based holds and bucket retention policies block delete and overwrite (403);</li>
 *   <li>a missing bucket answers 404 "The specified bucket does not exist."; denied permissions answer 403
 *       naming the permission; injected faults answer any status for a number of matching requests.</li>
 * </ul>
 * Object bytes live in temp files, so large uploads do not fill the heap.
 */
final class FakeGcsServer implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\*|(\\d+)-(\\d+))/(\\*|\\d+)");

    private final HttpServer server;
    private final ExecutorService executor;
    private final Path dir;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Set<String> denied = ConcurrentHashMap.newKeySet();
    private final List<Fault> faults = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong generations = new AtomicLong(1_700_000_000_000_000L);
    private final List<String> authorizationHeaders = new CopyOnWriteArrayList<>();
    private final AtomicInteger chunkPuts = new AtomicInteger();
    private volatile Clock clock = Clock.systemUTC();

    static {
        // without TCP_NODELAY, Nagle + delayed ACK add ~40 ms to every response written in two parts
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private FakeGcsServer() throws IOException {
        dir = Files.createTempDirectory("fake-gcs");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        executor = Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "fake-gcs");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    static FakeGcsServer start() {
        try {
            return new FakeGcsServer();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:port}, for {@code GcsStorage.Builder#host}. */
    String host() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void createBucket(String name) {
        buckets.putIfAbsent(name, new Bucket(name));
    }

    /** A bucket retention policy: objects cannot be deleted or overwritten until created + period. */
    void setRetentionPolicy(String bucket, Duration period) {
        buckets.get(bucket).retentionPeriod = period;
    }

    void setClock(Clock clock) {
        this.clock = clock;
    }

    /** Answer 403 for operations that need {@code permission}, e.g. {@code storage.objects.create}. */
    void deny(String permission) {
        denied.add(permission);
    }

    /** Answer {@code status} to the next {@code times} requests whose "METHOD path?query" matches {@code regex}. */
    void failNext(String regex, int status, int times) {
        faults.add(new Fault(Pattern.compile(regex), status, new AtomicInteger(times)));
    }

    /** Forget every injected fault. */
    void clearFaults() {
        faults.clear();
    }

    /** Release or set a temporary hold, as {@code gcloud storage objects update --[no-]temporary-hold}. */
    void setTemporaryHold(String bucket, String name, boolean hold) {
        StoredObject o = buckets.get(bucket).objects.get(name);
        o.metadata.put("temporaryHold", hold);
    }

    void setEventBasedHold(String bucket, String name, boolean hold) {
        StoredObject o = buckets.get(bucket).objects.get(name);
        o.metadata.put("eventBasedHold", hold);
    }

    /** The stored metadata (JSON API resource) of an object, or null. */
    ObjectNode metadata(String bucket, String name) {
        StoredObject o = buckets.get(bucket).objects.get(name);
        return o == null ? null : o.resource();
    }

    /** Resumable sessions opened but never finalized. */
    int openSessions() {
        return sessions.size();
    }

    /** Authorization headers received (to prove which credentials were sent). */
    List<String> authorizationHeaders() {
        return authorizationHeaders;
    }

    int chunkPuts() {
        return chunkPuts.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort cleanup of a temp dir
        }
    }

    // ---------------------------------------------------------------------------------------------

    private void handle(HttpExchange ex) throws IOException {
        try {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            if (auth != null) {
                authorizationHeaders.add(auth);
            }
            String path = ex.getRequestURI().getRawPath();
            String rawQuery = ex.getRequestURI().getRawQuery();
            Map<String, String> q = query(rawQuery);
            String line = ex.getRequestMethod() + " " + path + (rawQuery == null ? "" : "?" + rawQuery);
            for (Fault f : faults) {
                if (f.pattern.matcher(line).find() && f.remaining.getAndDecrement() > 0) {
                    drain(ex);
                    error(ex, f.status, "injected fault " + f.status, "backendError");
                    return;
                }
            }
            if (path.startsWith("/upload/storage/v1/b/")) {
                upload(ex, path.substring("/upload/storage/v1/b/".length()), q);
            } else if (path.startsWith("/storage/v1/b/")) {
                json(ex, path.substring("/storage/v1/b/".length()), q);
            } else if (path.startsWith("/download/storage/v1/b/")) {
                json(ex, path.substring("/download/storage/v1/b/".length()), q);
            } else if (path.startsWith("/batch/storage/v1")) {
                batch(ex);
            } else {
                error(ex, 404, "no such endpoint " + path, "notFound");
            }
        } catch (RuntimeException e) {
            error(ex, 500, "fake server bug: " + e, "backendError");
        } finally {
            ex.close();
        }
    }

    private void upload(HttpExchange ex, String rest, Map<String, String> q) throws IOException {
        String bucketName = decode(rest.substring(0, rest.indexOf('/')));
        if (ex.getRequestMethod().equals("POST")) {
            JsonNode body = readJson(ex);
            Bucket bucket = buckets.get(bucketName);
            if (bucket == null) {
                error(ex, 404, "The specified bucket does not exist.", "notFound");
                return;
            }
            if (isDenied(ex, "storage.objects.create", bucketName)) {
                return;
            }
            if (!"resumable".equals(q.get("uploadType"))) {
                error(ex, 400, "only uploadType=resumable is implemented by this fake", "invalid");
                return;
            }
            String name = q.containsKey("name") ? q.get("name") : body.path("name").asText(null);
            if (name == null || name.isEmpty()) {
                error(ex, 400, "Required parameter: name", "required");
                return;
            }
            String sc = body.path("storageClass").asText("STANDARD");
            if (!List.of("STANDARD", "NEARLINE", "COLDLINE", "ARCHIVE").contains(sc)) {
                error(ex, 400, "Invalid argument: storage class " + sc, "invalid");
                return;
            }
            Long ifGen = q.containsKey("ifGenerationMatch") ? Long.valueOf(q.get("ifGenerationMatch")) : null;
            if (!preconditionHolds(bucket, name, ifGen)) {
                error(ex, 412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet");
                return;
            }
            ObjectNode meta = body.isObject() ? (ObjectNode) body.deepCopy() : JSON.createObjectNode();
            meta.put("name", name);
            meta.put("storageClass", sc);
            if (q.containsKey("kmsKeyName")) {
                meta.put("kmsKeyName", q.get("kmsKeyName"));
            }
            String id = "s" + ids.incrementAndGet();
            sessions.put(id, new Session(bucketName, name, meta, ifGen, Files.createTempFile(dir, "upload", ".bin")));
            // like GCS, the session URL is on the host the client called (through a proxy, the proxy)
            String hostHeader = ex.getRequestHeaders().getFirst("Host");
            ex.getResponseHeaders().set("Location", (hostHeader == null ? host() : "http://" + hostHeader)
                    + "/upload/storage/v1/b/" + rest.substring(0, rest.indexOf('/'))
                    + "/o?uploadType=resumable&upload_id=" + id);
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (!ex.getRequestMethod().equals("PUT")) {
            error(ex, 405, "method not allowed", "invalid");
            return;
        }
        chunkPuts.incrementAndGet();
        Session s = sessions.get(q.get("upload_id"));
        if (s == null) {
            drain(ex);
            error(ex, 404, "No such upload session (finalized or never started)", "notFound");
            return;
        }
        synchronized (s) {
            Matcher m = CONTENT_RANGE.matcher(String.valueOf(ex.getRequestHeaders().getFirst("Content-Range")));
            if (!m.matches()) {
                drain(ex);
                error(ex, 400, "bad Content-Range", "invalid");
                return;
            }
            if (m.group(2) != null) {
                long first = Long.parseLong(m.group(2));
                if (first != s.received) {
                    // a retried chunk the session already has (or a gap): acknowledge what we have
                    drain(ex);
                    incomplete(ex, s);
                    return;
                }
                try (InputStream in = ex.getRequestBody();
                     OutputStream out = Files.newOutputStream(s.file, StandardOpenOption.APPEND)) {
                    byte[] buf = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        out.write(buf, 0, n);
                        s.md5.update(buf, 0, n);
                        s.crc.update(buf, 0, n);
                        s.received += n;
                    }
                }
            } else {
                drain(ex);
            }
            if (m.group(4).equals("*")) {
                incomplete(ex, s);
                return;
            }
            long total = Long.parseLong(m.group(4));
            if (total != s.received) {
                incomplete(ex, s);
                return;
            }
            finalizeSession(ex, q.get("upload_id"), s);
        }
    }

    private void incomplete(HttpExchange ex, Session s) throws IOException {
        if (s.received > 0) {
            ex.getResponseHeaders().set("Range", "bytes=0-" + (s.received - 1));
        }
        ex.sendResponseHeaders(308, -1);
    }

    private void finalizeSession(HttpExchange ex, String id, Session s) throws IOException {
        Bucket bucket = buckets.get(s.bucket);
        synchronized (bucket) {
            if (!preconditionHolds(bucket, s.name, s.ifGenerationMatch)) {
                sessions.remove(id);
                error(ex, 412, "At least one of the pre-conditions you specified did not hold.", "conditionNotMet");
                return;
            }
            StoredObject old = bucket.objects.get(s.name);
            String blocked = old == null ? null : blockedReason(bucket, old);
            if (blocked != null) {
                sessions.remove(id);
                error(ex, 403, "Object '" + s.bucket + "/" + s.name + "' " + blocked
                        + " and cannot be deleted, overwritten or archived", "forbidden");
                return;
            }
            Path target = dir.resolve("obj-" + ids.incrementAndGet());
            Files.move(s.file, target, StandardCopyOption.ATOMIC_MOVE);
            Instant now = clock.instant();
            ObjectNode meta = s.metadata;
            meta.put("kind", "storage#object");
            meta.put("bucket", s.bucket);
            meta.put("generation", Long.toString(generations.incrementAndGet()));
            meta.put("metageneration", "1");
            meta.put("size", Long.toString(s.received));
            meta.put("timeCreated", now.toString());
            meta.put("updated", now.toString());
            meta.put("md5Hash", Base64.getEncoder().encodeToString(s.md5.digest()));
            long crc = s.crc.getValue();
            meta.put("crc32c", Base64.getEncoder().encodeToString(new byte[]{
                (byte) (crc >>> 24), (byte) (crc >>> 16), (byte) (crc >>> 8), (byte) crc}));
            if (!meta.has("contentType")) {
                meta.put("contentType", "application/octet-stream");
            }
            if (bucket.retentionPeriod != null) {
                meta.put("retentionExpirationTime", now.plus(bucket.retentionPeriod).toString());
            }
            StoredObject created = new StoredObject(target, meta);
            bucket.objects.put(s.name, created);
            sessions.remove(id);
            if (old != null) {
                Files.deleteIfExists(old.file);
            }
            send(ex, 200, created.resource());
        }
    }

    private void json(HttpExchange ex, String rest, Map<String, String> q) throws IOException {
        int slash = rest.indexOf('/');
        String bucketName = decode(slash < 0 ? rest : rest.substring(0, slash));
        Bucket bucket = buckets.get(bucketName);
        String tail = slash < 0 ? "" : rest.substring(slash);
        if (bucket == null) {
            drain(ex);
            error(ex, 404, "The specified bucket does not exist.", "notFound");
            return;
        }
        if (tail.isEmpty()) {
            if (isDenied(ex, "storage.buckets.get", bucketName)) {
                return;
            }
            ObjectNode b = JSON.createObjectNode();
            b.put("kind", "storage#bucket").put("name", bucketName).put("id", bucketName)
                    .put("metageneration", "1").put("storageClass", "STANDARD");
            if (bucket.retentionPeriod != null) {
                b.putObject("retentionPolicy").put("retentionPeriod", Long.toString(bucket.retentionPeriod.toSeconds()))
                        .put("isLocked", false);
            }
            send(ex, 200, b);
            return;
        }
        if (tail.equals("/o")) {
            list(ex, bucket, q);
            return;
        }
        if (!tail.startsWith("/o/")) {
            error(ex, 404, "no such endpoint", "notFound");
            return;
        }
        String name = decode(tail.substring(3));
        String method = ex.getRequestMethod();
        String override = ex.getRequestHeaders().getFirst("X-HTTP-Method-Override");
        if ("POST".equals(method) && override != null) {
            method = override;
        }
        switch (method) {
            case "PATCH", "PUT" -> {
                // metadata update: only the holds are implemented (what GcsStorage.legalHold sends)
                if (isDenied(ex, "storage.objects.update", bucketName)) {
                    return;
                }
                JsonNode patch = readJson(ex);
                synchronized (bucket) {
                    StoredObject o = bucket.objects.get(name);
                    if (o == null) {
                        error(ex, 404, "No such object: " + bucketName + "/" + name, "notFound");
                        return;
                    }
                    for (String field : List.of("temporaryHold", "eventBasedHold")) {
                        if (patch.has(field)) {
                            o.metadata.put(field, patch.get(field).asBoolean());
                        }
                    }
                    send(ex, 200, o.resource());
                }
            }
            case "GET" -> {
                if (isDenied(ex, "storage.objects.get", bucketName)) {
                    return;
                }
                StoredObject o = bucket.objects.get(name);
                if (o == null || (q.containsKey("generation")
                        && !q.get("generation").equals(o.metadata.path("generation").asText()))) {
                    error(ex, 404, "No such object: " + bucketName + "/" + name, "notFound");
                    return;
                }
                if ("media".equals(q.get("alt"))) {
                    media(ex, o);
                } else {
                    send(ex, 200, o.resource());
                }
            }
            case "DELETE" -> {
                if (isDenied(ex, "storage.objects.delete", bucketName)) {
                    return;
                }
                synchronized (bucket) {
                    StoredObject o = bucket.objects.get(name);
                    if (o == null) {
                        error(ex, 404, "No such object: " + bucketName + "/" + name, "notFound");
                        return;
                    }
                    String blocked = blockedReason(bucket, o);
                    if (blocked != null) {
                        error(ex, 403, "Object '" + bucketName + "/" + name + "' " + blocked
                                + " and cannot be deleted, overwritten or archived", "forbidden");
                        return;
                    }
                    bucket.objects.remove(name);
                    Files.deleteIfExists(o.file);
                }
                ex.sendResponseHeaders(204, -1);
            }
            default -> error(ex, 405, "method not allowed", "invalid");
        }
    }

    private void media(HttpExchange ex, StoredObject o) throws IOException {
        long size = Files.size(o.file);
        String range = ex.getRequestHeaders().getFirst("Range");
        long start = 0;
        long end = size - 1;
        boolean partial = false;
        if (range != null) {
            Matcher m = Pattern.compile("bytes=(\\d+)-(\\d*)").matcher(range);
            if (!m.matches()) {
                error(ex, 400, "bad Range " + range, "invalid");
                return;
            }
            start = Long.parseLong(m.group(1));
            if (!m.group(2).isEmpty()) {
                end = Math.min(end, Long.parseLong(m.group(2)));
            }
            if (start >= size && size > 0) {
                error(ex, 416, "The requested range cannot be satisfied.", "requestedRangeNotSatisfiable");
                return;
            }
            partial = true;
        }
        long length = Math.max(0, end - start + 1);
        var h = ex.getResponseHeaders();
        h.set("Content-Type", o.metadata.path("contentType").asText("application/octet-stream"));
        h.set("x-goog-generation", o.metadata.path("generation").asText());
        h.set("x-goog-metageneration", "1");
        h.set("x-goog-stored-content-length", Long.toString(size));
        h.set("x-goog-stored-content-encoding", "identity");
        h.set("x-goog-storage-class", o.metadata.path("storageClass").asText("STANDARD"));
        if (partial) {
            h.set("Content-Range", "bytes " + start + "-" + end + "/" + size);
        }
        ex.sendResponseHeaders(partial ? 206 : 200, length == 0 ? -1 : length);
        if (length > 0) {
            try (InputStream in = Files.newInputStream(o.file); OutputStream out = ex.getResponseBody()) {
                in.skipNBytes(start);
                byte[] buf = new byte[64 * 1024];
                long left = length;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        break;
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
            } catch (IOException e) {
                // client went away mid-download (closed a ranged stream early): fine
            }
        }
    }

    private void list(HttpExchange ex, Bucket bucket, Map<String, String> q) throws IOException {
        if (isDenied(ex, "storage.objects.list", bucket.name)) {
            return;
        }
        String prefix = q.getOrDefault("prefix", "");
        int max = Math.min(1000, Integer.parseInt(q.getOrDefault("maxResults", "1000")));
        String token = q.get("pageToken");
        NavigableMap<String, StoredObject> view = bucket.objects.tailMap(token == null ? prefix : token, token == null);
        ObjectNode page = JSON.createObjectNode().put("kind", "storage#objects");
        ArrayNode items = page.putArray("items");
        String last = null;
        for (Map.Entry<String, StoredObject> e : view.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (items.size() == max) {
                page.put("nextPageToken", last);
                break;
            }
            items.add(e.getValue().resource());
            last = e.getKey();
        }
        send(ex, 200, page);
    }

    /**
     * The JSON API batch endpoint: a multipart/mixed body of {@code application/http} parts, each a
     * request this server answers as if sent alone; the answers go back in the same order.
     */
    private void batch(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        Matcher bm = Pattern.compile("boundary=\"?([^\";]+)\"?").matcher(String.valueOf(type));
        if (!bm.find()) {
            error(ex, 400, "batch without boundary", "invalid");
            return;
        }
        String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.ISO_8859_1);
        String boundary = "--" + bm.group(1);
        StringBuilder response = new StringBuilder();
        String responseBoundary = "batch_fake_" + ids.incrementAndGet();
        int part = 0;
        for (String raw : body.split(Pattern.quote(boundary))) {
            String p = raw.strip();
            if (p.isEmpty() || p.equals("--")) {
                continue;
            }
            part++;
            int headerEnd = p.indexOf("\r\n\r\n");
            String partHeaders = p.substring(0, headerEnd);
            String inner = p.substring(headerEnd + 4);
            String requestLine = inner.lines().findFirst().orElse("");
            String[] parts = requestLine.split(" ");
            String method = parts[0];
            java.net.URI uri = java.net.URI.create(parts[1]);
            Matcher cid = Pattern.compile("(?i)Content-ID:\\s*<?([^>\\r\\n]+)>?").matcher(partHeaders);
            String contentId = cid.find() ? cid.group(1) : Integer.toString(part);
            int status;
            String reply;
            String rawPath = uri.getRawPath();
            String afterB = rawPath.substring(rawPath.indexOf("/b/") + 3);
            String bucketName = decode(afterB.substring(0, afterB.indexOf('/')));
            String name = decode(afterB.substring(afterB.indexOf("/o/") + 3));
            Bucket bucket = buckets.get(bucketName);
            if (!method.equals("DELETE")) {
                status = 501;
                reply = errorJson(501, "the fake batch endpoint implements DELETE only", "notImplemented");
            } else if (bucket == null) {
                status = 404;
                reply = errorJson(404, "The specified bucket does not exist.", "notFound");
            } else if (denied.contains("storage.objects.delete")) {
                status = 403;
                reply = errorJson(403, "caller does not have storage.objects.delete access", "forbidden");
            } else {
                synchronized (bucket) {
                    StoredObject o = bucket.objects.get(name);
                    String blocked = o == null ? null : blockedReason(bucket, o);
                    if (o == null) {
                        status = 404;
                        reply = errorJson(404, "No such object: " + bucketName + "/" + name, "notFound");
                    } else if (blocked != null) {
                        status = 403;
                        reply = errorJson(403, "Object '" + bucketName + "/" + name + "' " + blocked
                                + " and cannot be deleted, overwritten or archived", "forbidden");
                    } else {
                        bucket.objects.remove(name);
                        Files.deleteIfExists(o.file);
                        status = 204;
                        reply = "";
                    }
                }
            }
            response.append("--").append(responseBoundary).append("\r\n")
                    .append("Content-Type: application/http\r\n")
                    .append("Content-ID: <response-").append(contentId).append(">\r\n\r\n")
                    .append("HTTP/1.1 ").append(status).append(' ').append(status == 204 ? "No Content" : "Error").append("\r\n");
            if (!reply.isEmpty()) {
                response.append("Content-Type: application/json; charset=UTF-8\r\n")
                        .append("Content-Length: ").append(reply.getBytes(StandardCharsets.UTF_8).length).append("\r\n\r\n")
                        .append(reply).append("\r\n");
            } else {
                response.append("Content-Length: 0\r\n\r\n");
            }
        }
        response.append("--").append(responseBoundary).append("--\r\n");
        byte[] bytes = response.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "multipart/mixed; boundary=" + responseBoundary);
        ex.sendResponseHeaders(200, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private String blockedReason(Bucket bucket, StoredObject o) {
        if (o.metadata.path("temporaryHold").asBoolean(false)) {
            return "is under active Temporary hold";
        }
        if (o.metadata.path("eventBasedHold").asBoolean(false)) {
            return "is under active Event-Based hold";
        }
        String exp = o.metadata.path("retentionExpirationTime").asText(null);
        if (exp != null && Instant.parse(exp).isAfter(clock.instant())) {
            return "is subject to bucket's retention policy until " + exp;
        }
        String until = o.metadata.path("retention").path("retainUntilTime").asText(null);
        if (until != null && java.time.OffsetDateTime.parse(until).toInstant().isAfter(clock.instant())) {
            return "is subject to object retention until " + until;
        }
        return null;
    }

    private boolean preconditionHolds(Bucket bucket, String name, Long ifGenerationMatch) {
        if (ifGenerationMatch == null) {
            return true;
        }
        StoredObject o = bucket.objects.get(name);
        if (ifGenerationMatch == 0) {
            return o == null;
        }
        return o != null && o.metadata.path("generation").asText().equals(ifGenerationMatch.toString());
    }

    private boolean isDenied(HttpExchange ex, String permission, String bucket) throws IOException {
        if (!denied.contains(permission)) {
            return false;
        }
        drain(ex);
        error(ex, 403, "backup@eazepay-prod.iam.gserviceaccount.com does not have " + permission
                + " access to the Google Cloud Storage bucket. Permission '" + permission + "' denied on resource"
                + " (or it may not exist).", "forbidden");
        return true;
    }

    private static String errorJson(int status, String message, String reason) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode err = root.putObject("error");
        err.put("code", status).put("message", message);
        err.putArray("errors").addObject().put("message", message).put("domain", "global").put("reason", reason);
        return root.toString();
    }

    private static void error(HttpExchange ex, int status, String message, String reason) throws IOException {
        byte[] bytes = errorJson(status, message, reason).getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static JsonNode readJson(HttpExchange ex) throws IOException {
        byte[] body = ex.getRequestBody().readAllBytes();
        if ("gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding")) && body.length > 0) {
            // the client gzips metadata updates
            try (InputStream in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(body))) {
                body = in.readAllBytes();
            }
        }
        return body.length == 0 ? JSON.createObjectNode() : JSON.readTree(body);
    }

    private static void drain(HttpExchange ex) throws IOException {
        try (InputStream in = ex.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw == null) {
            return q;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            q.put(decode(eq < 0 ? kv : kv.substring(0, eq)), eq < 0 ? "" : decode(kv.substring(eq + 1)));
        }
        return q;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static final class Bucket {
        final String name;
        final ConcurrentSkipListMap<String, StoredObject> objects = new ConcurrentSkipListMap<>();
        volatile Duration retentionPeriod;

        Bucket(String name) {
            this.name = name;
        }
    }

    private static final class StoredObject {
        final Path file;
        final ObjectNode metadata;

        StoredObject(Path file, ObjectNode metadata) {
            this.file = file;
            this.metadata = metadata;
        }

        ObjectNode resource() {
            ObjectNode r = metadata.deepCopy();
            r.put("id", r.path("bucket").asText() + "/" + r.path("name").asText() + "/" + r.path("generation").asText());
            return r;
        }
    }

    private static final class Session {
        final String bucket;
        final String name;
        final ObjectNode metadata;
        final Long ifGenerationMatch;
        final Path file;
        final MessageDigest md5;
        final CRC32C crc = new CRC32C();
        long received;

        Session(String bucket, String name, ObjectNode metadata, Long ifGenerationMatch, Path file) {
            this.bucket = bucket;
            this.name = name;
            this.metadata = metadata;
            this.ifGenerationMatch = ifGenerationMatch;
            this.file = file;
            try {
                this.md5 = MessageDigest.getInstance("MD5");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    private record Fault(Pattern pattern, int status, AtomicInteger remaining) {
    }
}
