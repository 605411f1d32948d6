package com.eazepay.backup.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Who holds a lease or a running-backup marker: the host name, the process id, the process start
 * time (so that a reused pid is not mistaken for the holder) and, on Linux, a machine id made of the
 * kernel boot id and the pid namespace (so that containers sharing a host name, or a host that
 * rebooted, are told apart).
 *
 * <p>{@link #isDeadHolder} is how restic decides a lock is stale at once: the holder ran on this
 * very host (same host name and same machine id) and its process no longer exists, or a process
 * with that pid exists but started at another time. Holders on other hosts are never judged this
 * way; only their expiry counts.
 */
public final class ProcessIdentity {

    /** Process start times read twice may differ by rounding; pids are not reused this fast. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(1);

    private static final String HOST = hostName();
    private static final String MACHINE = machineId();

    private ProcessIdentity() {
    }

    /** This host's name ({@code HOSTNAME}, else the resolver's name, else {@code unknown}). */
    public static String host() {
        return HOST;
    }

    /** This process's id. */
    public static long pid() {
        return ProcessHandle.current().pid();
    }

    /** This process's start time, or null where the platform does not say. */
    public static Instant processStart() {
        return ProcessHandle.current().info().startInstant().orElse(null);
    }

    /** {@code {boot id}/{pid namespace}} on Linux, else null. */
    public static String machine() {
        return MACHINE;
    }

    /**
     * Whether a holder recorded as {@code host}, {@code machine}, {@code pid}, {@code start} ran on
     * this host and its process is gone (or the pid now belongs to a process started at another
     * time). False whenever that cannot be told for sure (another host, no machine id on either
     * side while the host names match is accepted as the same host, as restic does).
     */
    public static boolean isDeadHolder(String host, String machine, long pid, Instant start) {
        if (host == null || !host.equals(HOST) || pid <= 0) {
            return false;
        }
        if (machine != null && MACHINE != null && !machine.equals(MACHINE)) {
            // same name, other kernel or pid namespace: another container, or this host before a reboot
            return false;
        }
        if ((machine == null) != (MACHINE == null)) {
            return false;
        }
        Optional<ProcessHandle> p = ProcessHandle.of(pid);
        if (p.isEmpty() || !p.get().isAlive()) {
            return true;
        }
        if (start == null) {
            return false;
        }
        Optional<Instant> actual = p.get().info().startInstant();
        return actual.isPresent() && Duration.between(actual.get(), start).abs().compareTo(START_TOLERANCE) > 0;
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) {
            return h.trim();
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String machineId() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).trim();
            String ns = Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
            return boot.isEmpty() ? null : boot + "/" + ns;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }
}
