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
 * <p>A {@link RawValue} node is copied verbatim: for output built once and sent many times.
 */
public final class QmpJsonWriter {

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private QmpJsonWriter() {
    }

    /** Whether {@code s} is written as it is: printable ASCII without a quote or a backslash (most strings). */
    private static boolean plain(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** One QMP message: the value and the line end, as bytes. */
    public static byte[] line(JsonNode value) {
        StringBuilder out = new StringBuilder(128);
        write(value, out);
        out.append("\r\n");
        return out.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static String toJson(JsonNode value) {
        StringBuilder out = new StringBuilder(128);
        write(value, out);
        return out.toString();
    }

    private static void write(JsonNode value, StringBuilder out) {
        switch (value.getNodeType()) {
            case OBJECT -> {
                ObjectNode object = (ObjectNode) value;
                out.append('{');
                boolean first = true;
                for (Map.Entry<String, JsonNode> member : QDictOrder.members(object)) {
                    if (!first) {
                        out.append(", ");
                    }
                    first = false;
                    string(member.getKey(), out);
                    out.append(": ");
                    write(member.getValue(), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < value.size(); i++) {
                    if (i > 0) {
                        out.append(", ");
                    }
                    write(value.get(i), out);
                }
                out.append(']');
            }
            case STRING -> string(value.textValue(), out);
            case NUMBER -> {
                if (value.isIntegralNumber()) {
                    if (value.canConvertToLong()) {
                        out.append(value.longValue());
                    } else {
                        out.append(value.bigIntegerValue());
                    }
                } else {
                    out.append(CDoubleFormat.format(value.doubleValue()));
                }
            }
            case BOOLEAN -> out.append(value.booleanValue());
            case NULL -> out.append("null");
            case POJO -> {
                if (((POJONode) value).getPojo() instanceof RawValue raw) {
                    out.append(raw.rawValue().toString());
                } else {
                    throw new IllegalArgumentException("not JSON: " + value);
                }
            }
            default -> throw new IllegalArgumentException("not JSON: " + value.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        if (plain(s)) {
            out.append(s).append('"');
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20 || c >= 0x7F) {
                        // A supplementary character is a surrogate pair here already, which is what
                        // QEMU writes for it.
                        out.append("\\u").append(HEX[c >> 12]).append(HEX[(c >> 8) & 0xF])
                                .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
