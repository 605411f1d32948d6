package com.eazepay.backup.age;

import com.eazepay.backup.spi.Encryption;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/** Helpers for the age tests: in-memory round trips and running the real age CLI. */
final class AgeTestSupport {

    private AgeTestSupport() {
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] encrypt(Encryption enc, byte[] plain) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (OutputStream out = enc.encrypt(bos)) {
            // odd-sized writes exercise chunk boundaries
            int off = 0;
            int step = 1;
            while (off < plain.length) {
                int n = Math.min(step, plain.length - off);
                out.write(plain, off, n);
                off += n;
                step = step * 3 + 7;
            }
        }
        return bos.toByteArray();
    }

    static byte[] decrypt(Encryption enc, byte[] cipher) throws IOException {
        try (InputStream in = enc.decrypt(new ByteArrayInputStream(cipher))) {
            return in.readAllBytes();
        }
    }

    /** Result of a CLI run. */
    record Run(int exit, byte[] stdout, String stderr) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    static void requireAge() {
        for (String tool : List.of("/usr/bin/age", "/usr/bin/age-keygen")) {
            if (!Files.isExecutable(Path.of(tool))) {
                throw new AssertionError(tool + " is missing: install the Debian package age (apt-get install -y age)");
            }
        }
        if (!Files.isExecutable(Path.of("/usr/bin/script"))) {
            throw new AssertionError("/usr/bin/script is missing: install the Debian package bsdutils");
        }
    }

    static Run run(Path dir, byte[] stdin, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Path err = Files.createTempFile(dir, "stderr", ".txt");
        pb.redirectError(err.toFile());
        Process p = pb.start();
        try (OutputStream os = p.getOutputStream()) {
            if (stdin != null) {
                os.write(stdin);
            }
        }
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new Run(p.exitValue(), out, Files.readString(err));
    }

    /** Runs an age command in a pseudo-terminal (age reads passphrases from the terminal only). */
    static Run runWithTty(Path dir, String input, String ageCommand) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/script", "-qec", ageCommand, "/dev/null"));
        return run(dir, input.getBytes(StandardCharsets.UTF_8), cmd.toArray(String[]::new));
    }
}
