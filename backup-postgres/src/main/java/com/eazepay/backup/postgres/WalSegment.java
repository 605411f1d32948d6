package com.eazepay.backup.postgres;

import java.time.Instant;
import java.util.Objects;

/**
 * One committed WAL file of a {@link WalArchive}: its commit record {@code wal/{source}/{name}.json}.
 *
 * @param name         the PostgreSQL file name ({@code 000000010000000000000003}, {@code 00000002.history}, ...)
 * @param object       the storage key of the stored (compressed, encrypted) bytes
 * @param size         plaintext size in bytes
 * @param sha256       SHA-256 of the plaintext, hex
 * @param storedSize   stored size in bytes
 * @param storedSha256 SHA-256 of the stored bytes, hex (checkable without keys)
 * @param archivedAt   when the archive committed it (the archive's clock)
 */
public record WalSegment(String name, String object, long size, String sha256, long storedSize, String storedSha256,
                         Instant archivedAt) {
    public WalSegment {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(object, "object");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(storedSha256, "storedSha256");
        Objects.requireNonNull(archivedAt, "archivedAt");
    }
}
