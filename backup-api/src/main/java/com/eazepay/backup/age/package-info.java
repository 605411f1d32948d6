/**
 * age v1 encryption (X25519 recipients, scrypt passphrases), byte-compatible with the {@code age} command
 * line tool both ways: {@link com.eazepay.backup.age.AgeEncryption} for the engine,
 * {@link com.eazepay.backup.age.AgeRecipient}, {@link com.eazepay.backup.age.AgeIdentity} and
 * {@link com.eazepay.backup.age.AgeKeys} for keys. See docs/encryption.md.
 */
package com.eazepay.backup.age;
