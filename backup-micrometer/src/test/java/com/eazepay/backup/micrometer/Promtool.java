package com.eazepay.backup.micrometer;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the machine's {@code promtool} (Debian package {@code prometheus}, installed by scripts/setup). */
final class Promtool {

    record Result(int exitCode, String output) {
    }

    private Promtool() {
    }

    /**
     * Skips the calling test with a clear message when promtool is not on the PATH; fails instead on CI
     * ({@code CI=true}), where scripts/setup installs it.
     */
    static void assumeInstalled() {
        if (find() == null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("promtool not found on the PATH on CI: scripts/setup installs Debian's prometheus package");
        }
        Assumptions.assumeTrue(find() != null, "promtool not found on the PATH: install Debian's prometheus package "
                + "(scripts/setup does) to lint the scrape and test the alert rules");
    }

    static Path find() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    /** Runs {@code promtool args...} with {@code stdin} (may be null), returning exit code and stdout+stderr. */
    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(find().toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream o = p.getInputStream()) {
            o.transferTo(out);
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("promtool " + args[0] + " did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8));
    }
}
