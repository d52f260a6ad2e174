package io.vnetd.qmp.json;

/**
 * QEMU's JSON lexer (qobject/json-lexer.c, as of QEMU 7.2): a table-driven state machine fed one
 * byte at a time. It accepts RFC 8259 tokens plus single-quoted strings and the {@code \'} escape,
 * leaves validating string contents and keywords to the parser, and after a lexical error skips
 * ahead to a structural character or a control character before it starts over ("recovery"),
 * which is what lets a QMP session resynchronise after garbage.
 */
final class JsonLexer {

    /** Receives each token; the buffer is only valid during the call. */
    interface TokenSink {
        void token(int type, TokenBuffer text);
    }

    static final int ERROR = 0;
    static final int LCURLY = 100;
    static final int RCURLY = 101;
    static final int LSQUARE = 102;
    static final int RSQUARE = 103;
    static final int COLON = 104;
    static final int COMMA = 105;
    static final int INTEGER = 106;
    static final int FLOAT = 107;
    static final int KEYWORD = 108;
    static final int STRING = 109;
    /**
     * A token cut off because it outgrew the size limit. QEMU passes its lexer state as the type;
     * any value that is no token type behaves the same in the streamer.
     */
    static final int OVERSIZED = 110;

    private static final int IN_RECOVERY = 1;
    private static final int IN_DQ_STRING_ESCAPE = 2;
    private static final int IN_DQ_STRING = 3;
    private static final int IN_SQ_STRING_ESCAPE = 4;
    private static final int IN_SQ_STRING = 5;
    private static final int IN_ZERO = 6;
    private static final int IN_EXP_DIGITS = 7;
    private static final int IN_EXP_SIGN = 8;
    private static final int IN_EXP_E = 9;
    private static final int IN_MANTISSA = 10;
    private static final int IN_MANTISSA_DIGITS = 11;
    private static final int IN_DIGITS = 12;
    private static final int IN_SIGN = 13;
    private static final int IN_KEYWORD = 14;
    private static final int IN_START = 15;

    /** Set on a transition that does not consume the byte: it is looked at again in the new state. */
    private static final int LOOKAHEAD = 0x80;

    /** Unlisted transitions are 0, i.e. {@link #ERROR}, exactly as in QEMU's table. */
    private static final byte[][] TABLE = new byte[IN_START + 1][256];

    static {
        set(IN_RECOVERY, 0, 0x1F, IN_START | LOOKAHEAD);
        set(IN_RECOVERY, 0x20, 0xFD, IN_RECOVERY);
        set(IN_RECOVERY, 0xFE, 0xFF, IN_START | LOOKAHEAD);
        set(IN_RECOVERY, '\t', IN_RECOVERY);
        for (char c : "[]{}:,".toCharArray()) {
            set(IN_RECOVERY, c, IN_START | LOOKAHEAD);
        }

        set(IN_DQ_STRING_ESCAPE, 0x20, 0xFD, IN_DQ_STRING);
        set(IN_DQ_STRING, 0x20, 0xFD, IN_DQ_STRING);
        set(IN_DQ_STRING, '\\', IN_DQ_STRING_ESCAPE);
        set(IN_DQ_STRING, '"', STRING);
        set(IN_SQ_STRING_ESCAPE, 0x20, 0xFD, IN_SQ_STRING);
        set(IN_SQ_STRING, 0x20, 0xFD, IN_SQ_STRING);
        set(IN_SQ_STRING, '\\', IN_SQ_STRING_ESCAPE);
        set(IN_SQ_STRING, '\'', STRING);

        terminal(IN_ZERO, INTEGER);
        set(IN_ZERO, '0', '9', ERROR);
        set(IN_ZERO, '.', IN_MANTISSA);

        terminal(IN_EXP_DIGITS, FLOAT);
        set(IN_EXP_DIGITS, '0', '9', IN_EXP_DIGITS);
        set(IN_EXP_SIGN, '0', '9', IN_EXP_DIGITS);
        set(IN_EXP_E, '-', IN_EXP_SIGN);
        set(IN_EXP_E, '+', IN_EXP_SIGN);
        set(IN_EXP_E, '0', '9', IN_EXP_DIGITS);
        terminal(IN_MANTISSA_DIGITS, FLOAT);
        set(IN_MANTISSA_DIGITS, '0', '9', IN_MANTISSA_DIGITS);
        set(IN_MANTISSA_DIGITS, 'e', IN_EXP_E);
        set(IN_MANTISSA_DIGITS, 'E', IN_EXP_E);
        set(IN_MANTISSA, '0', '9', IN_MANTISSA_DIGITS);

        terminal(IN_DIGITS, INTEGER);
        set(IN_DIGITS, '0', '9', IN_DIGITS);
        set(IN_DIGITS, 'e', IN_EXP_E);
        set(IN_DIGITS, 'E', IN_EXP_E);
        set(IN_DIGITS, '.', IN_MANTISSA);
        set(IN_SIGN, '0', IN_ZERO);
        set(IN_SIGN, '1', '9', IN_DIGITS);

        terminal(IN_KEYWORD, KEYWORD);
        set(IN_KEYWORD, 'a', 'z', IN_KEYWORD);

        set(IN_START, '"', IN_DQ_STRING);
        set(IN_START, '\'', IN_SQ_STRING);
        set(IN_START, '0', IN_ZERO);
        set(IN_START, '1', '9', IN_DIGITS);
        set(IN_START, '-', IN_SIGN);
        set(IN_START, '{', LCURLY);
        set(IN_START, '}', RCURLY);
        set(IN_START, '[', LSQUARE);
        set(IN_START, ']', RSQUARE);
        set(IN_START, ',', COMMA);
        set(IN_START, ':', COLON);
        set(IN_START, 'a', 'z', IN_KEYWORD);
        for (char c : " \t\r\n".toCharArray()) {
            set(IN_START, c, IN_START);
        }
    }

    private final TokenSink sink;
    private final int maxTokenSize;
    private final TokenBuffer token = new TokenBuffer();
    private int state = IN_START;

    JsonLexer(TokenSink sink, int maxTokenSize) {
        this.sink = sink;
        this.maxTokenSize = maxTokenSize;
    }

    void feed(byte ch) {
        boolean consumed = false;
        while (!consumed) {
            int next = TABLE[state][ch & 0xFF] & 0xFF;
            consumed = (next & LOOKAHEAD) == 0;
            next &= ~LOOKAHEAD;
            if (consumed) {
                token.append(ch);
            }
            switch (next) {
                case LCURLY, RCURLY, LSQUARE, RSQUARE, COLON, COMMA, INTEGER, FLOAT, KEYWORD, STRING -> {
                    sink.token(next, token);
                    token.clear();
                    next = IN_START;
                }
                case IN_START -> token.clear();
                case ERROR -> {
                    sink.token(ERROR, token);
                    token.clear();
                    next = IN_RECOVERY;
                }
                case IN_RECOVERY -> token.clear();
                default -> {
                    // inside a token: keep accumulating
                }
            }
            state = next;
        }
        // A single token may not grow without bound (QEMU: "a security consideration").
        if (token.length() > maxTokenSize) {
            sink.token(OVERSIZED, token);
            token.clear();
            state = IN_START;
        }
    }

    private static void terminal(int state, int tokenType) {
        set(state, 0, 0xFF, tokenType | LOOKAHEAD);
    }

    private static void set(int state, int from, int to, int next) {
        for (int c = from; c <= to; c++) {
            TABLE[state][c] = (byte) next;
        }
    }

    private static void set(int state, int c, int next) {
        TABLE[state][c] = (byte) next;
    }
}
