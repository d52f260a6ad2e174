package io.vnetd.qmp.json;

/**
 * Decodes a string token like QEMU's {@code parse_string()}: the lexer let any byte from 0x20 to
 * 0xFD through, so this is where escapes and modified UTF-8 are checked.
 */
final class JsonStringLiteral {

    private JsonStringLiteral() {
    }

    /** @param token the token, both quotes included */
    static String decode(byte[] token, int length) throws JsonSyntaxException {
        byte quote = token[0];
        StringBuilder out = new StringBuilder(length);
        int p = 1;
        while (token[p] != quote) {
            if (token[p] == '\\') {
                int begin = p++;
                switch (token[p++]) {
                    case '"' -> out.append('"');
                    case '\'' -> out.append('\'');
                    case '\\' -> out.append('\\');
                    case '/' -> out.append('/');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'n' -> out.append('\n');
                    case 'r' -> out.append('\r');
                    case 't' -> out.append('\t');
                    case 'u' -> {
                        int codePoint = hex4(token, p, length);
                        p += 4;
                        if (codePoint >= 0xD800 && codePoint <= 0xDBFF
                                && p + 1 < length && token[p] == '\\' && token[p + 1] == 'u') {
                            int trailing = hex4(token, p + 2, length);
                            if (trailing >= 0xDC00 && trailing <= 0xDFFF) {
                                codePoint = 0x10000 + ((codePoint & 0x3FF) << 10) + (trailing & 0x3FF);
                                p += 6;
                            } else {
                                codePoint = ModifiedUtf8.INVALID;
                            }
                        }
                        if (!ModifiedUtf8.isValidCodePoint(codePoint)) {
                            String escape = ModifiedUtf8.decodeLenient(token, begin, Math.min(p, length));
                            throw new JsonSyntaxException(escape + " is not a valid Unicode character");
                        }
                        out.appendCodePoint(codePoint);
                    }
                    default -> throw new JsonSyntaxException("invalid escape sequence in string");
                }
            } else {
                long decoded = ModifiedUtf8.decode(token, p, length);
                int codePoint = ModifiedUtf8.codePoint(decoded);
                if (codePoint == ModifiedUtf8.INVALID) {
                    throw new JsonSyntaxException("invalid UTF-8 sequence in string");
                }
                out.appendCodePoint(codePoint);
                p = ModifiedUtf8.end(decoded);
            }
        }
        return out.toString();
    }

    /** QEMU's {@code cvt4hex()}: four hex digits, or -1 as soon as one is not. */
    private static int hex4(byte[] s, int offset, int length) {
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = offset + i < length ? Character.digit(s[offset + i], 16) : -1;
            if (digit < 0) {
                return -1;
            }
            value = (value << 4) | digit;
        }
        return value;
    }
}
