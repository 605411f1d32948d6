package com.eazepay.backup.internal;

import com.eazepay.backup.BackupException;
import com.eazepay.backup.CoreErrorCode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

import java.io.IOException;
import java.io.InputStream;

/** The one JSON mapper for manifests, reports and leases: ISO-8601 times, pretty-printed, stable key order. */
public final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static byte[] write(Object value) {
        try {
            return MAPPER.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.INTERNAL, "cannot serialize " + value.getClass().getSimpleName() + ": " + e.getMessage(), e);
        }
    }

    /**
     * @param what the object's name for the error message, e.g. the storage key
     */
    public static <T> T read(InputStream in, Class<T> type, String what) {
        try (in) {
            return MAPPER.readValue(in, type);
        } catch (IOException e) {
            throw new BackupException(CoreErrorCode.CORRUPT_DATA, what + " is not a valid " + type.getSimpleName()
                    + " document: " + e.getMessage(), e);
        }
    }
}
