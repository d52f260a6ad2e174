package io.vnetd.qmp.json;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Writes JSON exactly as QEMU's qobject/json-writer.c does in its compact form: {@code ": "} and
 * {@code ", "} separators, dict members in {@link QDictOrder}, everything outside printable ASCII
 * escaped as upper-case {@code \\uXXXX}, non-integers as {@code %.17g}. QMP puts each message on a
 * line of its own ending in CR LF (the monitor turns every LF it prints into CR LF).
 *
 * <p>A {@link RawValue} node is copied verbatim: for output built once and sent many times. A
 * {@link WritableValue} node writes itself.
 */
public final class QmpJsonWriter {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private QmpJsonWriter() {
    }

    /** Whether {@code c} is written as it is: printable ASCII but a quote or a backslash. */
    private static boolean plain(char c) {
        return c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    }

    /** One QMP message: the value and the line end, as bytes. */
    public static byte[] line(JsonNode value) {
        return lineOutput(value).toByteArray();
    }

    /** One QMP message, the value and the line end, in the chunks of its output. */
    public static JsonOutput lineOutput(JsonNode value) {
        JsonOutput out = new JsonOutput();
        write(value, out);
        return out.ascii("\r\n");
    }

    public static String toJson(JsonNode value) {
        JsonOutput out = new JsonOutput();
        write(value, out);
        return new String(out.toByteArray(), StandardCharsets.US_ASCII);
    }

    public static void write(JsonNode value, JsonOutput out) {
        switch (value.getNodeType()) {
            case OBJECT -> {
                ObjectNode object = (ObjectNode) value;
                out.ascii('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> member : QDictOrder.members(object)) {
                    if (!first) {
                        out.ascii(", ");
                    }
                    first = false;
                    string(member.getKey(), out);
                    out.ascii(": ");
                    write(member.getValue(), out);
                }
                out.ascii('}');
            }
            case ARRAY -> {
                out.ascii('[');
                for (int i = 0; i < value.size(); i++) {
                    if (i > 0) {
                        out.ascii(", ");
                    }
                    write(value.get(i), out);
                }
                out.ascii(']');
            }
            case STRING -> string(value.textValue(), out);
            case NUMBER -> {
                if (value.isIntegralNumber()) {
                    if (value.canConvertToLong()) {
                        out.number(value.longValue());
                    } else {
                        out.ascii(value.bigIntegerValue().toString());
                    }
                } else {
                    out.ascii(CDoubleFormat.format(value.doubleValue()));
                }
            }
            case BOOLEAN -> out.ascii(value.booleanValue() ? "true" : "false");
            case NULL -> out.ascii("null");
            case POJO -> {
                switch (((POJONode) value).getPojo()) {
                    case RawValue raw -> out.ascii(raw.rawValue().toString());
                    case WritableValue writable -> writable.writeTo(out);
                    default -> throw new IllegalArgumentException("not JSON: " + value);
                }
            }
            default -> throw new IllegalArgumentException("not JSON: " + value.getNodeType());
        }
    }

    /**
     * A JSON string as QEMU writes it: printable ASCII as it is, everything else escaped. Runs of
     * characters that need no escaping are appended whole (a string is mostly one such run).
     */
    public static void string(String s, JsonOutput out) {
        out.ascii('"');
        int run = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (plain(c)) {
                continue;
            }
            out.ascii(s, run, i);
            run = i + 1;
            switch (c) {
                case '"' -> out.ascii("\\\"");
                case '\\' -> out.ascii("\\\\");
                case '\b' -> out.ascii("\\b");
                case '\f' -> out.ascii("\\f");
                case '\n' -> out.ascii("\\n");
                case '\r' -> out.ascii("\\r");
                case '\t' -> out.ascii("\\t");
                // A supplementary character is a surrogate pair here already, which is what QEMU writes for it.
                default -> out.ascii("\\u").ascii(HEX[c >> 12]).ascii(HEX[(c >> 8) & 0xF])
                        .ascii(HEX[(c >> 4) & 0xF]).ascii(HEX[c & 0xF]);
            }
        }
        out.ascii(s, run, s.length()).ascii('"');
    }
}
