package com.eazepay.backup.micrometer;

import java.util.Arrays;
import java.util.List;

/**
 * Decides whether a backup's stored size is anomalous: outside a band of {@code ±band} around the
 * median of the sizes of the previous successful backups of the same source (at most
 * {@code window} of them, newest first). With fewer than {@code minSamples} previous sizes there is
 * no baseline and nothing is anomalous. Pure and immutable: the same inputs give the same answer.
 *
 * <p>Example with the defaults (window 14, band 0.5, 3 samples): previous sizes 100, 110, 90 (median
 * 100) accept 50..150; 49 or 151 is an anomaly. A band of 1 or more has no lower bound above 0, so
 * only growth is flagged.
 */
public record SizeAnomalyRule(int window, double band, int minSamples) {

    /** Default number of previous sizes the median is taken over: 14 (two weeks of daily backups). */
    public static final int DEFAULT_WINDOW = 14;
    /** Default half-width of the band, as a fraction of the median: 0.5 (±50 %). */
    public static final double DEFAULT_BAND = 0.5;
    /** Default number of previous sizes needed before anything is judged: 3. */
    public static final int DEFAULT_MIN_SAMPLES = 3;

    /**
     * @throws IllegalArgumentException if {@code window < 1}, {@code band} is not a finite number
     *                                  above 0, or {@code minSamples} is not in {@code 1..window}
     */
    public SizeAnomalyRule {
        if (window < 1) {
            throw new IllegalArgumentException("window must be at least 1 previous size, got " + window);
        }
        if (!(band > 0) || Double.isInfinite(band)) {
            throw new IllegalArgumentException("band must be a finite fraction above 0 (0.5 = ±50 %), got " + band);
        }
        if (minSamples < 1 || minSamples > window) {
            throw new IllegalArgumentException("minSamples must be in 1.." + window + " (the window), got " + minSamples);
        }
    }

    /** Window 14, band ±50 %, at least 3 previous sizes. */
    public static SizeAnomalyRule defaults() {
        return new SizeAnomalyRule(DEFAULT_WINDOW, DEFAULT_BAND, DEFAULT_MIN_SAMPLES);
    }

    /**
     * Whether {@code size} is anomalous against {@code previous}.
     *
     * @param previous sizes of earlier successful backups, oldest first; only the last {@code window}
     *                 are used
     * @param size     the size to judge (not part of {@code previous})
     */
    public boolean isAnomalous(List<Long> previous, long size) {
        if (previous.size() < minSamples) {
            return false;
        }
        double median = median(previous.subList(Math.max(0, previous.size() - window), previous.size()));
        return size < median * (1 - band) || size > median * (1 + band);
    }

    /** The median of {@code values} (mean of the two middle ones for an even count). */
    static double median(List<Long> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("median of no values");
        }
        long[] sorted = values.stream().mapToLong(Long::longValue).toArray();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] / 2.0 + sorted[mid] / 2.0);
    }
}
