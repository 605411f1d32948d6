package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Test helper run in a child JVM: decrypts args[0] to stdout with the identity in $AGE_TEST_IDENTITY. */
public final class EnvIdentityMain {

    private EnvIdentityMain() {
    }

    public static void main(String[] args) throws Exception {
        try (InputStream in = AgeEncryption.decryptOnly().withIdentityFromEnv("AGE_TEST_IDENTITY")
                .decrypt(Files.newInputStream(Path.of(args[0])))) {
            in.transferTo(System.out);
        }
        System.out.flush();
    }
}
