package com.eazepay.backup.mongo.internal;

/**
 * The archive header document.
 *
 * @param concurrentCollections collections dumped in parallel (int32 {@code concurrent_collections})
 * @param version               archive format version ({@code "0.1"})
 * @param serverVersion         MongoDB server version of the source
 * @param toolVersion           writer version
 */
public record ArchiveHeader(int concurrentCollections, String version, String serverVersion, String toolVersion) {
}
