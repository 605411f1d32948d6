package com.eazepay.backup.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Samples heap use on a background daemon thread every few milliseconds. Reports two peaks:
 * <ul>
 *   <li>{@link #peakUsed()}: the largest {@code MemoryMXBean} heap-used sample, garbage included (it
 *       rises towards {@code -Xmx} when the collector is lazy, so it is an upper bound);
 *   <li>{@link #peakAfterGc()}: the largest heap left after a collection (sum of the heap pools'
 *       collection usage), which is what the pipeline really keeps alive.
 * </ul>
 * Use one instance per measurement: {@link #start()}, run, {@link #close()}.
 */
public final class HeapSampler implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
            .filter(p -> p.getType() == MemoryType.HEAP).toList();
    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakAfterGc = new AtomicLong();
    private volatile boolean running = true;
    private final Thread thread;

    private HeapSampler() {
        thread = new Thread(this::loop, "heap-sampler");
        thread.setDaemon(true);
    }

    /** Collects garbage, resets the pools' peaks and starts sampling. */
    public static HeapSampler start() {
        System.gc();
        ManagementFactory.getMemoryPoolMXBeans().forEach(MemoryPoolMXBean::resetPeakUsage);
        HeapSampler s = new HeapSampler();
        s.thread.start();
        return s;
    }

    private void loop() {
        while (running) {
            sample();
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void sample() {
        peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
        long afterGc = 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage u = pool.getCollectionUsage();
            if (u != null) {
                afterGc += u.getUsed();
            }
        }
        peakAfterGc.accumulateAndGet(afterGc, Math::max);
    }

    /** Largest heap-used sample, in bytes (includes uncollected garbage). */
    public long peakUsed() {
        return peakUsed.get();
    }

    /** Largest heap in use right after a collection, in bytes. */
    public long peakAfterGc() {
        return peakAfterGc.get();
    }

    /** The JVM's maximum heap ({@code -Xmx}), in bytes. */
    public static long maxHeap() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getMax();
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sample();
    }
}
