package io.vnetd.it.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * JSON read and written the way Python's {@code json} module does it, so that what the Java runner
 * sends, sorts and writes is byte-for-byte what {@code qmp_run.py} sends, sorts and writes: the
 * recorded transcripts were produced by it, and people diff ours against them with {@code diff -u}.
 */
final class PythonJson {

    /** {@code json.loads}: NaN and Infinity accepted, trailing garbage refused, last duplicate key wins. */
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private PythonJson() {
    }

    /** {@code json.loads(text)}. */
    static JsonNode parse(String text) throws JsonProcessingException {
        return MAPPER.readTree(text);
    }

    /** Python's truth value of a JSON value: false, null, 0, "", [] and {} are false. */
    static boolean isTruthy(JsonNode v) {
        if (v == null || v.isNull()) {
            return false;
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        if (v.isNumber()) {
            return v.isIntegralNumber() ? v.bigIntegerValue().signum() != 0 : v.doubleValue() != 0;
        }
        if (v.isTextual()) {
            return !v.textValue().isEmpty();
        }
        return !v.isEmpty();
    }

    /** Python's {@code float(value)} of a JSON value (a number, a bool or a numeric string). */
    static double toFloat(JsonNode v) {
        if (v.isNumber()) {
            return v.doubleValue();
        }
        if (v.isBoolean()) {
            return v.booleanValue() ? 1 : 0;
        }
        if (v.isTextual()) {
            try {
                return Double.parseDouble(v.textValue().strip().replace("_", ""));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("could not convert string to float: '" + v.textValue() + "'", e);
            }
        }
        throw new IllegalArgumentException("float() argument must be a string or a real number, not " + v.getNodeType());
    }

    /** {@code json.dumps(value, separators=(",", ":"))}: how the runner sends commands. */
    static String compact(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out, false, true, ",", ":");
        return out.toString();
    }

    /** {@code json.dumps(value, sort_keys=True, ensure_ascii=False)}: one transcript line. */
    static String transcriptLine(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out, true, false, ", ", ": ");
        return out.toString();
    }

    /** {@code json.dumps(value, sort_keys=True)}: the key {@code --normalize} sorts query-commands by. */
    static String sortKey(JsonNode value) {
        StringBuilder out = new StringBuilder();
        write(value, out, true, true, ", ", ": ");
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out, boolean sortKeys, boolean ensureAscii,
                              String itemSeparator, String keySeparator) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<Map.Entry<String, JsonNode>> fields = new ArrayList<>(node.properties());
                if (sortKeys) {
                    // Python compares str by code point; for the BMP that is Java's UTF-16 order.
                    fields.sort(Map.Entry.comparingByKey());
                }
                out.append('{');
                for (int i = 0; i < fields.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    string(fields.get(i).getKey(), out, ensureAscii);
                    out.append(keySeparator);
                    write(fields.get(i).getValue(), out, sortKeys, ensureAscii, itemSeparator, keySeparator);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(itemSeparator);
                    }
                    write(node.get(i), out, sortKeys, ensureAscii, itemSeparator, keySeparator);
                }
                out.append(']');
            }
            case STRING -> string(node.textValue(), out, ensureAscii);
            case NUMBER -> out.append(node.isIntegralNumber() ? node.bigIntegerValue().toString() : floatRepr(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new IllegalArgumentException("not a JSON value: " + node.getNodeType());
        }
    }

    private static void string(String s, StringBuilder out, boolean ensureAscii) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    // ensure_ascii escapes everything outside ' '..'~'; otherwise only control characters.
                    boolean escape = c < 0x20 || ensureAscii && c > 0x7e;
                    if (escape) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Python's {@code float.__repr__}: the shortest round-tripping digits, exponent outside 1e-4..1e16. */
    static String floatRepr(double d) {
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        if (d == 0) {
            return (1 / d < 0) ? "-0.0" : "0.0";
        }
        // Java's Double.toString yields the shortest round-tripping decimal, as Python's repr does.
        BigDecimal exact = new BigDecimal(Double.toString(Math.abs(d))).stripTrailingZeros();
        String digits = exact.unscaledValue().toString();
        int pointPosition = digits.length() - exact.scale();
        StringBuilder out = new StringBuilder(d < 0 ? "-" : "");
        if (pointPosition > -4 && pointPosition <= 16) {
            if (pointPosition <= 0) {
                out.append("0.").append("0".repeat(-pointPosition)).append(digits);
            } else if (pointPosition >= digits.length()) {
                out.append(digits).append("0".repeat(pointPosition - digits.length())).append(".0");
            } else {
                out.append(digits, 0, pointPosition).append('.').append(digits, pointPosition, digits.length());
            }
        } else {
            out.append(digits.charAt(0));
            if (digits.length() > 1) {
                out.append('.').append(digits, 1, digits.length());
            }
            int exponent = pointPosition - 1;
            out.append('e').append(exponent < 0 ? '-' : '+').append(String.format("%02d", Math.abs(exponent)));
        }
        return out.toString();
    }
}
