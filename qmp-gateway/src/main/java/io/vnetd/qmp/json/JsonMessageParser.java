package io.vnetd.qmp.json;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * QEMU's JSON message parser (json-streamer.c in front of the lexer and the parser) for one byte
 * stream: it cuts the stream into JSON texts by counting brackets, so an object may span lines, two
 * objects may share one, and an incomplete object waits for its end. Each text yields exactly one
 * value or one error; a lexical error is reported on the spot ("stray '...'") and ends the text
 * being collected, which is why one bad input line can give two errors.
 *
 * <p>Not thread-safe: one instance per session, fed from the session's thread.
 */
public final class JsonMessageParser {

    /** Receives the outcome of each JSON text, in input order. */
    public interface Listener {
        void onValue(JsonNode value);

        /** @param description the complete QMP error description, e.g. {@code JSON parse error, expecting value} */
        void onError(String description);
    }

    private final JsonLimits limits;
    private final Listener listener;
    private final JsonLexer lexer;
    private final JsonTreeBuilder tree = new JsonTreeBuilder();
    private int braceCount;
    private int bracketCount;
    private int tokenCount;
    private long tokenBytes;

    public JsonMessageParser(JsonLimits limits, Listener listener) {
        this.limits = limits;
        this.listener = listener;
        this.lexer = new JsonLexer(this::token, limits.maxBytes());
    }

    public void feed(byte b) {
        lexer.feed(b);
    }

    private void token(int type, TokenBuffer text) {
        switch (type) {
            case JsonLexer.LCURLY -> braceCount++;
            case JsonLexer.RCURLY -> braceCount--;
            case JsonLexer.LSQUARE -> bracketCount++;
            case JsonLexer.RSQUARE -> bracketCount--;
            case JsonLexer.ERROR -> {
                int end = 0;
                while (end < text.length() && text.bytes()[end] != 0) {
                    end++;
                }
                fail("JSON parse error, stray '" + ModifiedUtf8.decodeLenient(text.bytes(), 0, end) + "'");
                return;
            }
            default -> {
                // the other tokens do not change nesting
            }
        }
        if (tokenBytes + text.length() + 1 > limits.maxBytes()) {
            fail("JSON token size limit exceeded");
            return;
        }
        if (tokenCount + 1 > limits.maxTokens()) {
            fail("JSON token count limit exceeded");
            return;
        }
        if (braceCount + bracketCount > limits.maxNesting()) {
            fail("JSON nesting depth limit exceeded");
            return;
        }
        tokenBytes += text.length();
        tokenCount++;
        tree.token(type, text);

        if ((braceCount > 0 || bracketCount > 0) && braceCount >= 0 && bracketCount >= 0) {
            return;
        }
        JsonNode value;
        try {
            value = tree.finish();
        } catch (JsonSyntaxException e) {
            fail("JSON parse error, " + e.getMessage());
            return;
        }
        resetText();
        listener.onValue(value);
    }

    private void fail(String description) {
        tree.reset();
        resetText();
        listener.onError(description);
    }

    private void resetText() {
        braceCount = 0;
        bracketCount = 0;
        tokenCount = 0;
        tokenBytes = 0;
    }
}
