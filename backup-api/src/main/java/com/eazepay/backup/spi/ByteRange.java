package com.eazepay.backup.spi;

/**
 * A range of bytes: {@code offset} inclusive, {@code length} bytes (or to the end of the object
 * when {@code length} is {@link #TO_END}).
 */
public record ByteRange(long offset, long length) {

    /** Length meaning "to the end of the object". */
    public static final long TO_END = -1;

    public ByteRange {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, was " + offset);
        }
        if (length < 0 && length != TO_END) {
            throw new IllegalArgumentException("length must be >= 0 or TO_END, was " + length);
        }
    }

    /** {@code length} bytes from {@code offset}. */
    public static ByteRange of(long offset, long length) {
        return new ByteRange(offset, length);
    }

    /** From {@code offset} to the end. */
    public static ByteRange from(long offset) {
        return new ByteRange(offset, TO_END);
    }

    /** Whether the range extends to the end of the object. */
    public boolean toEnd() {
        return length == TO_END;
    }
}
