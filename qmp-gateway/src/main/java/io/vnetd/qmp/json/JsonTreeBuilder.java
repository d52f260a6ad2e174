package io.vnetd.qmp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.util.ArrayDeque;

/**
 * QEMU's recursive-descent JSON parser (qobject/json-parser.c) turned inside out: it takes the
 * tokens of one JSON text as they arrive instead of after the text is complete, so no token list is
 * kept. Tokens are consumed in the same order and checked against the same expectations, hence the
 * first error is the one QEMU reports; after it, tokens are ignored until the streamer decides the
 * text is over.
 */
final class JsonTreeBuilder {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

    /** Where a container is in its grammar. */
    private enum Expect {
        /** Just opened: the closing bracket or a first element (for an object: a key). */
        FIRST,
        /** After a comma in an object: a key. */
        KEY,
        /** After a key. */
        COLON,
        /** After a comma in an array or a colon in an object. */
        VALUE,
        /** After an element: a comma or the closing bracket. */
        SEPARATOR
    }

    private static final class Frame {
        final ObjectNode object;
        final ArrayNode array;
        Expect expect = Expect.FIRST;
        String key;

        Frame(ObjectNode object, ArrayNode array) {
            this.object = object;
            this.array = array;
        }
    }

    private final ArrayDeque<Frame> stack = new ArrayDeque<>();
    private JsonNode result;
    private String error;

    /** Feeds the next token of the current text. */
    void token(int type, TokenBuffer text) {
        if (error != null) {
            return;
        }
        try {
            accept(type, text);
        } catch (JsonSyntaxException e) {
            error = e.getMessage();
        }
    }

    /**
     * Ends the current text: its value, or throws with the first error (QEMU's "premature EOI" if the
     * tokens stopped inside a value), and gets ready for the next text.
     */
    JsonNode finish() throws JsonSyntaxException {
        String failure = error;
        JsonNode value = result;
        reset();
        if (failure != null) {
            throw new JsonSyntaxException(failure);
        }
        if (value == null) {
            throw new JsonSyntaxException("premature EOI");
        }
        return value;
    }

    void reset() {
        stack.clear();
        result = null;
        error = null;
    }

    private void accept(int type, TokenBuffer text) throws JsonSyntaxException {
        Frame top = stack.peek();
        if (top == null) {
            if (result != null) {
                throw new IllegalStateException("token after a complete JSON text");
            }
            value(type, text);
            return;
        }
        switch (top.expect) {
            case FIRST -> {
                if (top.object != null && type == JsonLexer.RCURLY || top.array != null && type == JsonLexer.RSQUARE) {
                    close();
                } else {
                    value(type, text);
                }
            }
            case KEY, VALUE -> value(type, text);
            case COLON -> {
                if (type != JsonLexer.COLON) {
                    throw new JsonSyntaxException("missing : in object pair");
                }
                top.expect = Expect.VALUE;
            }
            case SEPARATOR -> {
                if (top.object != null) {
                    if (type == JsonLexer.RCURLY) {
                        close();
                    } else if (type == JsonLexer.COMMA) {
                        top.expect = Expect.KEY;
                    } else {
                        throw new JsonSyntaxException("expected separator in dict");
                    }
                } else if (type == JsonLexer.RSQUARE) {
                    close();
                } else if (type == JsonLexer.COMMA) {
                    top.expect = Expect.VALUE;
                } else {
                    throw new JsonSyntaxException("expected separator in list");
                }
            }
        }
    }

    /** QEMU's {@code parse_value()}: a token where any value may start. */
    private void value(int type, TokenBuffer text) throws JsonSyntaxException {
        switch (type) {
            case JsonLexer.LCURLY -> stack.push(new Frame(NODES.objectNode(), null));
            case JsonLexer.LSQUARE -> stack.push(new Frame(null, NODES.arrayNode()));
            case JsonLexer.STRING -> complete(NODES.textNode(JsonStringLiteral.decode(text.bytes(), text.length())));
            case JsonLexer.INTEGER -> complete(integer(text.ascii()));
            case JsonLexer.FLOAT -> complete(NODES.numberNode(Double.parseDouble(text.ascii())));
            case JsonLexer.KEYWORD -> complete(keyword(text.ascii()));
            default -> throw new JsonSyntaxException("expecting value");
        }
    }

    private void close() throws JsonSyntaxException {
        Frame done = stack.pop();
        complete(done.object != null ? done.object : done.array);
    }

    /** A value is complete: it goes to its container, or it is the whole text. */
    private void complete(JsonNode value) throws JsonSyntaxException {
        Frame parent = stack.peek();
        if (parent == null) {
            result = value;
            return;
        }
        if (parent.array != null) {
            parent.array.add(value);
            parent.expect = Expect.SEPARATOR;
        } else if (parent.expect == Expect.VALUE) {
            if (parent.object.has(parent.key)) {
                throw new JsonSyntaxException("duplicate key");
            }
            parent.object.set(parent.key, value);
            parent.expect = Expect.SEPARATOR;
        } else if (value.isTextual()) {
            parent.key = value.textValue();
            parent.expect = Expect.COLON;
        } else {
            throw new JsonSyntaxException("key is not a string in object");
        }
    }

    /**
     * QEMU keeps an integer as int64 if it fits, else as uint64 if it fits, else as a double parsed
     * from the same text.
     */
    private static JsonNode integer(String digits) {
        try {
            return NODES.numberNode(Long.parseLong(digits));
        } catch (NumberFormatException outOfInt64) {
            if (digits.charAt(0) != '-') {
                BigInteger value = new BigInteger(digits);
                if (value.compareTo(UINT64_MAX) <= 0) {
                    return NODES.numberNode(value);
                }
            }
            return NODES.numberNode(Double.parseDouble(digits));
        }
    }

    private static JsonNode keyword(String word) throws JsonSyntaxException {
        return switch (word) {
            case "true" -> NODES.booleanNode(true);
            case "false" -> NODES.booleanNode(false);
            case "null" -> NODES.nullNode();
            default -> throw new JsonSyntaxException("invalid keyword '" + word + "'");
        };
    }
}
