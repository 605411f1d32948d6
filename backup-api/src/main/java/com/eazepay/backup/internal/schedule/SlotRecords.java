package com.eazepay.backup.internal.schedule;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.eazepay.backup.internal.Json;
import com.eazepay.backup.internal.ProcessIdentity;
import com.eazepay.backup.internal.RepositoryLayout;
import com.eazepay.backup.spi.ObjectInfo;
import com.eazepay.backup.spi.PutOptions;
import com.eazepay.backup.spi.StorageTarget;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Slot leases and slot records in the repository:
 * <pre>
 * locks/schedule/{job}/{yyyyMMdd'T'HHmmss'Z'}.json     the lease of a slot while its job runs
 * locks/schedule-takeover/{ownerId}.json               takeover tokens of stale slot leases
 * reports/schedule/{job}/{yyyyMMdd'T'HHmmss'Z'}.json   the outcome of a slot (written once, conditional put)
 * </pre>
 * Records older than {@link #RECORD_RETENTION} are removed when a new one is written.
 */
public final class SlotRecords {

    private static final Logger LOG = LoggerFactory.getLogger(SlotRecords.class);
    private static final DateTimeFormatter SLOT = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    /** How long slot records are kept. */
    public static final Duration RECORD_RETENTION = Duration.ofDays(35);
    public static final String TAKEOVER_PREFIX = RepositoryLayout.LOCKS + "/schedule-takeover/";

    /**
     * The outcome of one slot.
     *
     * @param outcome {@code succeeded} or {@code failed}
     */
    public record SlotRecord(String job, Instant slot, String outcome, String code, String message, String detail,
                             Instant startedAt, Instant finishedAt, String host, long pid) {
        public boolean succeeded() {
            return "succeeded".equals(outcome);
        }
    }

    private final StorageTarget storage;

    public SlotRecords(StorageTarget storage) {
        this.storage = storage;
    }

    public static String slotName(Instant slot) {
        return SLOT.format(slot);
    }

    public static String leaseKey(String job, Instant slot) {
        return RepositoryLayout.LOCKS + "/schedule/" + job + "/" + slotName(slot) + ".json";
    }

    static String recordPrefix(String job) {
        return RepositoryLayout.REPORTS + "/schedule/" + job + "/";
    }

    public static String recordKey(String job, Instant slot) {
        return recordPrefix(job) + slotName(slot) + ".json";
    }

    /** The record of a slot, if one was written. */
    public Optional<SlotRecord> read(String job, Instant slot) {
        return readKey(recordKey(job, slot));
    }

    private Optional<SlotRecord> readKey(String key) {
        if (storage.stat(key).isEmpty()) {
            return Optional.empty();
        }
        try (InputStream in = storage.get(key)) {
            return Optional.of(Json.read(in, SlotRecord.class, storage.describe() + "/" + key));
        } catch (BackupException e) {
            if (e.errorCode() == CoreErrorCode.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.STORAGE_UNAVAILABLE, "reading slot record " + key + " failed: " + e, e);
        }
    }

    /** Writes the record of a slot once; false (logged) if one exists already. Removes records past retention. */
    public boolean write(SlotRecord r) {
        String key = recordKey(r.job(), r.slot());
        byte[] json = Json.write(r);
        boolean created = storage.putIfAbsent(key, new ByteArrayInputStream(json),
                PutOptions.defaults().withContentLength(json.length).withContentType("application/json"));
        if (!created) {
            LOG.warn("slot record {} on {} exists already: left as it is", key, storage.describe());
        }
        String oldest = recordKey(r.job(), r.slot().minus(RECORD_RETENTION));
        try {
            for (ObjectInfo o : storage.listAll(recordPrefix(r.job()))) {
                if (o.key().compareTo(oldest) < 0) {
                    storage.delete(o.key());
                }
            }
        } catch (BackupException e) {
            LOG.warn("removing old slot records under {} on {} failed ({}): {}", recordPrefix(r.job()), storage.describe(),
                    e.errorCode().name(), e.getMessage());
        }
        return created;
    }

    /** Records of a job, newest first, at most {@code max} read. */
    public List<SlotRecord> newest(String job, int max) {
        List<String> keys = new ArrayList<>();
        for (ObjectInfo o : storage.listAll(recordPrefix(job))) {
            if (o.key().endsWith(".json")) {
                keys.add(o.key());
            }
        }
        keys.sort(Comparator.reverseOrder());
        List<SlotRecord> out = new ArrayList<>();
        for (String k : keys) {
            if (out.size() >= max) {
                break;
            }
            readKey(k).ifPresent(out::add);
        }
        return out;
    }

    static SlotRecord record(String job, Instant slot, boolean ok, String code, String message, String detail,
                             Instant startedAt, Instant finishedAt) {
        return new SlotRecord(job, slot, ok ? "succeeded" : "failed", code, message, detail, startedAt, finishedAt,
                ProcessIdentity.host(), ProcessIdentity.pid());
    }
}
