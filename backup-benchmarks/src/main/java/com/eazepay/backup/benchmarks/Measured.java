package com.eazepay.backup.benchmarks;

import java.io.IOException;

/**
 * One timed step: its result, wall time, CPU time and heap peaks (see {@link HeapSampler}).
 *
 * @param value       what the step returned
 * @param nanos       wall-clock time
 * @param cpuNanos    CPU time of the whole JVM, or of the calling thread only (see {@link #of})
 * @param peakUsed    largest heap-used sample, garbage included
 * @param peakAfterGc largest heap left after a collection
 */
record Measured<T>(T value, long nanos, long cpuNanos, long peakUsed, long peakAfterGc) {

    /** A step to measure. */
    @FunctionalInterface
    interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code step} after a GC, sampling the heap meanwhile.
     *
     * @param wholeProcess count the CPU time of every JVM thread (a multi-threaded pipeline) rather than
     *                     the calling thread's only
     */
    static <T> Measured<T> of(boolean wholeProcess, Step<T> step) throws IOException {
        T value;
        long nanos;
        long cpu;
        HeapSampler heap = HeapSampler.start();
        try (heap) {
            long c0 = wholeProcess ? Machine.processCpuNanos() : Machine.threadCpuNanos();
            long t0 = System.nanoTime();
            value = step.run();
            nanos = System.nanoTime() - t0;
            cpu = (wholeProcess ? Machine.processCpuNanos() : Machine.threadCpuNanos()) - c0;
        }
        return new Measured<>(value, nanos, cpu, heap.peakUsed(), heap.peakAfterGc());
    }
}
