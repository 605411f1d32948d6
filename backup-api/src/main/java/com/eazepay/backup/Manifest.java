package com.eazepay.backup;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The record of one committed backup, stored as {@code {source}/{backupId}/manifest.json} and written
 * last: a backup exists once its manifest exists. Versioned JSON; never holds secrets.
 *
 * @param formatVersion  manifest format version ({@value #FORMAT_VERSION})
 * @param id             backup id, sorts by time: {@code 20261124T020000.123Z-k3f9qa} (earlier versions: {@code 20261124T020000Z-k3f9qa})
 * @param source         source name
 * @param sourceType     source type ({@code postgres}, {@code files}, ...)
 * @param trigger        why it was taken: {@code manual}, {@code scheduled}, {@code pre-deploy}
 * @param tags           tags
 * @param labels         labels
 * @param setId          id shared by the backups taken together by {@code backupAll()}, or null
 * @param startedAt      when the backup started
 * @param completedAt    when the last stream was stored
 * @param consistentAt   the instant the data is consistent at
 * @param libraryVersion version of this library that wrote it
 * @param compression    compression codec
 * @param encryption     encryption format and recipient fingerprints
 * @param streams        the stored streams
 * @param facts          source facts (server version, row counts, oplog window, ...)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record Manifest(
        int formatVersion,
        String id,
        String source,
        String sourceType,
        String trigger,
        Set<String> tags,
        Map<String, String> labels,
        String setId,
        Instant startedAt,
        Instant completedAt,
        Instant consistentAt,
        String libraryVersion,
        Codec compression,
        Codec encryption,
        List<StreamInfo> streams,
        Map<String, Object> facts) {

    /**
     * The fact the engine records when the backup's objects were stored under object lock: the
     * ISO-8601 retain-until instant. Retention never removes the backup before it.
     */
    public static final String OBJECT_LOCK_UNTIL_FACT = "objectLockUntil";

    /** The manifest format version this library writes and reads. */
    public static final int FORMAT_VERSION = 1;

    public Manifest {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(source, "source");
        tags = tags == null ? Set.of() : java.util.Collections.unmodifiableSet(new TreeSet<>(tags));
        labels = labels == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        streams = streams == null ? List.of() : List.copyOf(streams);
        facts = facts == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(facts));
    }

    /** The stream with this name. */
    public Optional<StreamInfo> stream(String name) {
        return streams.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** Sum of stored (compressed, encrypted) bytes over all streams. */
    public long storedBytes() {
        return streams.stream().mapToLong(StreamInfo::storedSize).sum();
    }

    /** Sum of plaintext bytes over all streams. */
    public long plaintextBytes() {
        return streams.stream().mapToLong(StreamInfo::plaintextSize).sum();
    }

    /**
     * A codec and its parameters as recorded.
     *
     * @param id         persisted codec id
     * @param parameters parameters (level, recipient fingerprints); never keys
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Codec(String id, Map<String, Object> parameters) {
        public Codec {
            Objects.requireNonNull(id, "id");
            parameters = parameters == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(parameters));
        }
    }

    /**
     * One stored stream.
     *
     * @param name          stream name
     * @param object        storage key relative to the backup's directory, e.g. {@code db.pgdump.zst.age}
     * @param format        the source format ({@code pgdump}, {@code tar}, ...)
     * @param storedSize    bytes stored
     * @param sha256        lowercase hex SHA-256 of the stored bytes
     * @param plaintextSize bytes the source wrote
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamInfo(String name, String object, String format, long storedSize, String sha256, long plaintextSize) {
        public StreamInfo {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(object, "object");
            Objects.requireNonNull(sha256, "sha256");
        }
    }
}
