package com.eazepay.backup.benchmarks;

import com.eazepay.backup.spi.Compression;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns a JMH JSON result file ({@code -rf json -rff jmh.json}) of {@link CompressionBenchmark} and
 * {@link AgeBenchmark} into Markdown tables in MB/s (10^6 bytes of uncompressed/plaintext data per
 * second), with the compression ratio of each codec on each data set computed here once.
 *
 * <pre>java -cp benchmarks.jar com.eazepay.backup.benchmarks.JmhTable target/jmh.json</pre>
 */
public final class JmhTable {

    private JmhTable() {
    }

    /** Prints the tables for the JMH JSON file named by {@code args[0]}. */
    public static void main(String[] args) throws IOException {
        System.out.println(render(new ObjectMapper().readTree(Path.of(args[0]).toFile())));
    }

    /** Markdown tables for a parsed JMH JSON result. */
    static String render(JsonNode results) throws IOException {
        // key "codec|data" -> {compress, decompress} MB/s; for age "data" -> {encrypt, decrypt}
        Map<String, Map<String, String>> codecs = new LinkedHashMap<>();
        Map<String, Map<String, String>> age = new LinkedHashMap<>();
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (JsonNode r : results) {
            String benchmark = r.path("benchmark").asText();
            String method = benchmark.substring(benchmark.lastIndexOf('.') + 1);
            JsonNode params = r.path("params");
            int sizeMiB = params.path("sizeMiB").asInt(64);
            JsonNode metric = r.path("primaryMetric");
            String cell = cell(sizeMiB, metric.path("score").asDouble(), metric.path("scoreError").asDouble(),
                    metric.path("scoreUnit").asText());
            String data = params.path("data").asText();
            if (benchmark.contains("CompressionBenchmark")) {
                String key = params.path("codec").asText() + "|" + data;
                codecs.computeIfAbsent(key, k -> new LinkedHashMap<>()).put(method, cell);
                sizes.put(key, sizeMiB);
            } else if (benchmark.contains("AgeBenchmark")) {
                age.computeIfAbsent(data, k -> new LinkedHashMap<>()).put(method, cell);
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!codecs.isEmpty()) {
            sb.append("| codec | data | ratio (stored/plain) | compress MB/s | decompress MB/s |\n");
            sb.append("|---|---|---:|---:|---:|\n");
            for (Map.Entry<String, Map<String, String>> e : codecs.entrySet()) {
                String[] k = e.getKey().split("\\|");
                sb.append(String.format("| %s | %s | %.3f | %s | %s |%n", k[0], k[1], ratio(k[0], k[1], sizes.get(e.getKey())),
                        e.getValue().getOrDefault("compress", "-"), e.getValue().getOrDefault("decompress", "-")));
            }
        }
        if (!age.isEmpty()) {
            sb.append("\n| age (X25519 + ChaCha20-Poly1305) | encrypt MB/s | decrypt MB/s |\n|---|---:|---:|\n");
            for (Map.Entry<String, Map<String, String>> e : age.entrySet()) {
                sb.append(String.format("| %s | %s | %s |%n", e.getKey(), e.getValue().getOrDefault("encrypt", "-"),
                        e.getValue().getOrDefault("decrypt", "-")));
            }
        }
        return sb.toString();
    }

    /** "MB/s ± error" from a time-per-operation score over {@code sizeMiB} MiB. */
    private static String cell(int sizeMiB, double score, double error, String unit) {
        double seconds = switch (unit) {
            case "ms/op" -> score / 1e3;
            case "s/op" -> score;
            case "us/op" -> score / 1e6;
            default -> throw new IllegalArgumentException("unexpected JMH unit " + unit + "; run with the default -tu");
        };
        double mb = (double) sizeMiB * (1 << 20) / 1e6;
        double rate = mb / seconds;
        if (rate > 100_000) {
            // Compression.none() hands writes straight through: nothing is copied, there is no rate to speak of
            return "pass-through";
        }
        if (Double.isNaN(error) || error <= 0) {
            return String.format("%.0f", rate);
        }
        // JMH's 99.9% error on the time, as a share of the score (the same share applies to the rate)
        return String.format("%.0f ± %.0f%%", rate, 100 * error / score);
    }

    private static double ratio(String codec, String data, int sizeMiB) throws IOException {
        byte[] input = data.equals("rows") ? PaymentRows.generate(sizeMiB << 20) : PaymentRows.random(sizeMiB << 20);
        CountingSink sink = new CountingSink();
        Compression c = Codecs.compression(codec);
        try (OutputStream out = c.compress(sink)) {
            CompressionBenchmark.write(input, out);
        }
        return (double) sink.count() / input.length;
    }
}
