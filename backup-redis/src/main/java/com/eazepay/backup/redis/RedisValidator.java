package com.eazepay.backup.redis;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CheckResult;
import com.eazepay.backup.Manifest;
import com.eazepay.backup.redis.internal.KeyDumpFormat;
import com.eazepay.backup.redis.internal.RdbReader;
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
 * Validates Redis streams without a server: an {@code rdb} stream is parsed to its end by {@link RdbReader}
 * (structure of every entry, CRC-64 trailer, nothing after it), a {@code redisdump} stream by
 * {@link KeyDumpFormat} (structure and every payload's CRC-64); the keys found per database are compared
 * with the {@code keys} fact recorded at backup time. Thread-safe.
 */
final class RedisValidator implements StreamValidator {

    @Override
    public List<CheckResult> validate(String streamName, InputStream plaintext, Manifest manifest) {
        String object = manifest.stream(streamName).map(Manifest.StreamInfo::object).orElse("");
        boolean rdb = object.startsWith(streamName + ".rdb");
        boolean dump = object.startsWith(streamName + ".redisdump");
        if (!rdb && !dump) {
            return List.of();
        }
        String what = (rdb ? "RDB" : "key dump") + " stream " + streamName + " of backup " + manifest.id();
        String check = rdb ? "rdb structure and CRC-64" : "redisdump structure and CRC-64";
        ValidatorInput in = new ValidatorInput(plaintext);
        Map<String, Long> found = new TreeMap<>();
        List<CheckResult> results = new ArrayList<>();
        try {
            if (rdb) {
                RdbReader.Summary s = new RdbReader(in, null, false, what).read(new RdbReader.Visitor() { });
                s.keysPerDb().forEach((db, n) -> found.put("db" + db, n));
                results.add(CheckResult.passed(check, "RDB v" + s.rdbVersion() + ", " + s.totalKeys() + " keys, "
                        + (s.checksumPresent() ? "CRC-64 trailer matches" : "no CRC-64 trailer (written without rdbchecksum)")));
            } else {
                long n = KeyDumpFormat.read(in, what, (db, key, expireAtMs, payload) -> found.merge("db" + db, 1L, Long::sum));
                results.add(CheckResult.passed(check, n + " keys, every payload's CRC-64 matches"));
            }
        } catch (IOException | UncheckedIOException | BackupException e) {
            if (in.raised(e)) {
                throw e instanceof BackupException be ? be : new UncheckedIOException(e instanceof IOException io ? io
                        : ((UncheckedIOException) e).getCause());
            }
            String code = e instanceof BackupException be ? be.errorCode().name() + ": " : "";
            return List.of(CheckResult.failed(check, code + e.getMessage()));
        }
        Object recorded = manifest.facts().get("keys");
        if (recorded instanceof Map<?, ?> m) {
            Map<String, Long> expected = new TreeMap<>();
            m.forEach((k, v) -> {
                if (v instanceof Number num && num.longValue() > 0) {
                    expected.put(k.toString(), num.longValue());
                }
            });
            found.values().removeIf(v -> v == 0);
            results.add(expected.equals(found) ? CheckResult.passed("keys per database", "as recorded: " + expected)
                    : CheckResult.failed("keys per database", "recorded " + expected + ", found " + found));
        }
        return results;
    }
}
