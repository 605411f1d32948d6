/**
 * The age v1 file format (<a href="https://age-encryption.org/v1">age-encryption.org/v1</a>):
 * Bech32 keys, the header with its X25519 and scrypt stanzas and HMAC, and the STREAM payload
 * (64 KiB ChaCha20-Poly1305 chunks). Used by {@code com.eazepay.backup.age.AgeEncryption}; no
 * compatibility promise.
 */
package com.eazepay.backup.internal.age;
