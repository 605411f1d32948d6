package com.eazepay.backup.internal.age;

import java.util.List;

/**
 * One recipient stanza of an age header: {@code -> type args...} and its body. The body is a
 * wrapped (encrypted) file key, never a secret in the clear.
 */
public record Stanza(String type, List<String> args, byte[] body) {

    /** Copies {@code args} and {@code body}. */
    public Stanza {
        args = List.copyOf(args);
        body = body.clone();
    }

    /** A copy of the body. */
    @Override
    public byte[] body() {
        return body.clone();
    }

    @Override
    public String toString() {
        return "Stanza[" + type + " " + String.join(" ", args) + ", " + body.length + " bytes]";
    }
}
