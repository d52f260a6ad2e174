package io.vnetd.qmp.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** The bytes of the token being lexed; reused from token to token. */
final class TokenBuffer {

    /** Past this capacity a buffer is given back after use, so one huge token costs nothing later. */
    private static final int RETAINED_CAPACITY = 4096;

    private byte[] bytes = new byte[64];
    private int length;

    void append(byte b) {
        if (length == bytes.length) {
            bytes = Arrays.copyOf(bytes, bytes.length * 2);
        }
        bytes[length++] = b;
    }

    void clear() {
        length = 0;
        if (bytes.length > RETAINED_CAPACITY) {
            bytes = new byte[64];
        }
    }

    int length() {
        return length;
    }

    /** The backing array; valid up to {@link #length()} until the next append or clear. */
    byte[] bytes() {
        return bytes;
    }

    String ascii() {
        return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
    }
}
