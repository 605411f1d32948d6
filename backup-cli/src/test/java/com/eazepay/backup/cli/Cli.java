package com.eazepay.backup.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the packaged {@code eazepay-backup.jar} as a subprocess ({@code java -jar}, the real main class and
 * argument parsing) and keeps every output it printed, so tests can check that no secret ever appeared.
 */
final class Cli {

    static final Path JAR = Path.of(System.getProperty("cli.jar", "target/eazepay-backup.jar")).toAbsolutePath();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What one run printed and returned. */
    record Result(List<String> args, int exit, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON on stdout of " + args + ":\n" + out + "\nstderr:\n" + err, e);
            }
        }

        @Override
        public String toString() {
            return "eazepay-backup " + String.join(" ", args) + " -> exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path workDir;
    private final Map<String, String> env;
    private final StringBuilder transcript = new StringBuilder();

    Cli(Path workDir, Map<String, String> env) {
        this.workDir = workDir;
        this.env = env;
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR + " is missing: these tests run after the package phase (mvn verify)");
        }
    }

    Result run(String... args) {
        try {
            Path out = Files.createTempFile(workDir, "stdout", ".txt");
            Path err = Files.createTempFile(workDir, "stderr", ".txt");
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx256m", "-jar", JAR.toString()));
            cmd.addAll(List.of(args));
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(workDir.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().remove("EAZEPAY_BACKUP_CONFIG");
            pb.environment().put("CI", "true");
            pb.environment().putAll(env);
            Process p = pb.start();
            if (!p.waitFor(5, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new AssertionError("eazepay-backup " + List.of(args) + " did not finish in 5 minutes");
            }
            Result r = new Result(List.of(args), p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.delete(out);
            Files.delete(err);
            transcript.append(r).append('\n');
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Runs and requires exit code {@code expected}. */
    Result expect(int expected, String... args) {
        Result r = run(args);
        if (r.exit() != expected) {
            throw new AssertionError("expected exit " + expected + "\n" + r);
        }
        return r;
    }

    /** Everything every run printed (stdout and stderr). */
    String transcript() {
        return transcript.toString();
    }
}
