/**
 * Benchmarks of the backup pipeline: JMH micro benchmarks of the codecs
 * ({@link com.eazepay.backup.benchmarks.CompressionBenchmark},
 * {@link com.eazepay.backup.benchmarks.AgeBenchmark}), a streaming age benchmark over gigabytes
 * ({@link com.eazepay.backup.benchmarks.AgeStreamBenchmark}) and the end-to-end harness through the real
 * engine ({@link com.eazepay.backup.benchmarks.EndToEndBenchmark}), and zstd levels on a real pg_dump, mongodump
 * archive, RDB file and tar ({@link com.eazepay.backup.benchmarks.CompressionLevelsBenchmark}). Numbers are
 * printed, never asserted.
 * Not part of the library; nothing depends on this package.
 */
package com.eazepay.backup.benchmarks;
