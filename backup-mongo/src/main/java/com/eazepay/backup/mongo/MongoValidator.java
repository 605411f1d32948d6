package com.eazepay.backup.mongo;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.mongo.internal.ArchiveReader;
import com.eazepay.backup.spi.StreamValidator;
import com.eazepay.backup.spi.ValidatorInput;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validates the {@code archive} stream without a server: the archive walked by {@link ArchiveReader}
 * (prelude, every BSON document's framing, every namespace's end block and CRC-64), and the documents
 * per namespace compared with the {@code collections} fact recorded at backup time. Thread-safe.
 */
final class MongoValidator implements StreamValidator {

    @Override
    public List<CheckResult> validate(String streamName, InputStream plaintext, Manifest manifest) {
        if (!MongoSource.STREAM.equals(streamName)) {
            return List.of();
        }
        ValidatorInput in = new ValidatorInput(plaintext);
        Map<String, Long> found = new TreeMap<>();
        long documents = 0;
        try (ArchiveReader reader = ArchiveReader.open(in)) {
            ArchiveReader.Event e;
            while ((e = reader.next()) != null) {
                if (e instanceof ArchiveReader.NamespaceEnd end) {
                    found.merge(end.namespace(), end.documents(), Long::sum);
                    documents += end.documents();
                }
            }
        } catch (IOException | UncheckedIOException | BackupException e) {
            if (in.raised(e)) {
                throw e instanceof BackupException be ? be
                        : e instanceof UncheckedIOException u ? u : new UncheckedIOException((IOException) e);
            }
            String code = e instanceof BackupException be ? be.errorCode().name() + ": " : "";
            return List.of(CheckResult.failed("archive walk and per-namespace CRC-64", code + e.getMessage()));
        }
        List<CheckResult> results = new ArrayList<>();
        results.add(CheckResult.passed("archive walk and per-namespace CRC-64", found.size() + " namespaces, " + documents
                + " documents, every CRC-64 matches"));
        if (manifest.facts().get("collections") instanceof Map<?, ?> recorded) {
            Map<String, Long> expected = new TreeMap<>();
            recorded.forEach((ns, n) -> {
                if (n instanceof Number num && num.longValue() > 0) {
                    expected.put(ns.toString(), num.longValue());
                }
            });
            found.values().removeIf(v -> v == 0);
            results.add(expected.equals(found) ? CheckResult.passed("documents per namespace", "as recorded: " + expected.size()
                    + " namespaces") : CheckResult.failed("documents per namespace", "recorded " + expected + ", found " + found));
        }
        return results;
    }
}
