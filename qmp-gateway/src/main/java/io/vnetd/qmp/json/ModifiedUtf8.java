package io.vnetd.qmp.json;

import java.nio.charset.StandardCharsets;

/**
 * QEMU's view of text: strings are C strings in "modified UTF-8" (U+0000 is the two bytes C0 80),
 * decoded by {@code mod_utf8_codepoint()} from util/unicode.c. Whatever QEMU hashes, validates or
 * prints goes through these rules, so vnetd applies the same ones where the result is visible on the
 * wire: which key order a dict has, which strings the parser accepts, how a stray byte is echoed.
 */
public final class ModifiedUtf8 {

    /** Returned by {@link #decode} for an invalid sequence (QEMU returns -1). */
    public static final int INVALID = -1;

    private static final int[] MIN_CODE_POINT = {0x80, 0x800, 0x10000, 0x200000, 0x4000000};

    private ModifiedUtf8() {
    }

    /** QEMU's {@code is_valid_codepoint()}: no surrogates, no noncharacters, nothing past U+10FFFF. */
    public static boolean isValidCodePoint(int codePoint) {
        if (codePoint < 0 || codePoint > 0x10FFFF) {
            return false;
        }
        if ((codePoint >= 0xFDD0 && codePoint <= 0xFDEF) || (codePoint & 0xFFFE) == 0xFFFE) {
            return false;
        }
        return codePoint < 0xD800 || codePoint > 0xDFFF;
    }

    /**
     * Decodes the code point at {@code offset} like {@code mod_utf8_codepoint(s, 6, &end)}, reading no
     * byte at or past {@code limit} (a C string would have its terminating NUL there).
     *
     * @return the code point ({@link #INVALID} if invalid) in the low 32 bits and the offset after the
     *     bytes QEMU consumes in the high 32 bits
     */
    public static long decode(byte[] s, int offset, int limit) {
        if (offset >= limit || s[offset] == 0) {
            return pack(INVALID, offset);
        }
        int p = offset;
        int first = s[p++] & 0xFF;
        int codePoint;
        if (first < 0x80) {
            codePoint = first;
        } else if (first >= 0xFE || (first & 0x40) == 0) {
            codePoint = INVALID; // impossible byte, or a continuation byte where a sequence must start
        } else {
            int length = 0;
            int mask = 0x80;
            while ((first & mask) != 0) {
                length++;
                mask >>= 1;
            }
            codePoint = first & (mask - 1);
            for (int i = 1; i < length; i++) {
                int next = p < limit ? s[p] & 0xFF : 0;
                if ((next & 0xC0) != 0x80) {
                    return pack(INVALID, p);
                }
                p++;
                codePoint = (codePoint << 6) | (next & 0x3F);
            }
            if (!isValidCodePoint(codePoint)) {
                codePoint = INVALID;
            } else if (codePoint < MIN_CODE_POINT[length - 2] && !(codePoint == 0 && length == 2)) {
                codePoint = INVALID; // overlong, other than the C0 80 encoding of U+0000
            }
        }
        return pack(codePoint, p);
    }

    public static int codePoint(long decoded) {
        return (int) decoded;
    }

    public static int end(long decoded) {
        return (int) (decoded >>> 32);
    }

    /**
     * Bytes as QEMU's JSON writer shows them: every invalid sequence becomes U+FFFD. Stops at the
     * first NUL, as {@code %s} does.
     */
    public static String decodeLenient(byte[] s, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        int p = from;
        while (p < to && s[p] != 0) {
            long decoded = decode(s, p, to);
            int codePoint = codePoint(decoded);
            out.appendCodePoint(codePoint == INVALID ? 0xFFFD : codePoint);
            p = end(decoded);
        }
        return out.toString();
    }

    /** The C string QEMU stores for {@code s}: UTF-8, except that U+0000 is C0 80. */
    public static byte[] encode(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int nuls = 0;
        for (byte b : utf8) {
            if (b == 0) {
                nuls++;
            }
        }
        if (nuls == 0) {
            return utf8;
        }
        byte[] out = new byte[utf8.length + nuls];
        int o = 0;
        for (byte b : utf8) {
            if (b == 0) {
                out[o++] = (byte) 0xC0;
                out[o++] = (byte) 0x80;
            } else {
                out[o++] = b;
            }
        }
        return out;
    }

    private static long pack(int codePoint, int end) {
        return ((long) end << 32) | (codePoint & 0xFFFFFFFFL);
    }
}
