package com.eazepay.backup.age;

import com.eazepay.backup.age.AgeEncryption;
import com.eazepay.backup.BackupException;
import com.eazepay.backup.Secret;
import com.eazepay.backup.internal.age.AgeHeader;
import com.eazepay.backup.internal.age.AgePrimitives;
import com.eazepay.backup.internal.age.Stanza;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;

/** Test helper run in a child JVM with a small -Xmx: prints the errors for a work factor the heap cannot hold. */
public final class ScryptHeapMain {

    private ScryptHeapMain() {
    }

    public static void main(String[] args) throws Exception {
        int workFactor = Integer.parseInt(args[0]);
        Stanza stanza = new Stanza("scrypt", List.of(AgePrimitives.b64(new byte[16]), args[0]), new byte[32]);
        byte[] header = AgeHeader.write(List.of(stanza), new byte[16]);
        try {
            AgeEncryption.withPassphrase(Secret.of("x")).decrypt(new ByteArrayInputStream(header)).read();
        } catch (BackupException e) {
            System.out.println("decrypt: " + e);
        }
        try {
            AgeEncryption.withPassphrase(Secret.of("x")).withWorkFactor(workFactor).encrypt(new ByteArrayOutputStream());
        } catch (BackupException e) {
            System.out.println("encrypt: " + e);
        }
    }
}
