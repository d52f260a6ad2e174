package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * JSON values compared as parsed trees: object key order does not matter, numbers compare by value
 * within their kind (an integer never equals a float, as the recorded text tells them apart).
 */
final class JsonTrees {

    private static final int SHOWN_CHARS = 400;

    private JsonTrees() {
    }

    static boolean equal(JsonNode a, JsonNode b) {
        return differences(a, b, 1).isEmpty();
    }

    /** Up to {@code limit} differences, each as {@code PATH: expected X, actual Y}. */
    static List<String> differences(JsonNode expected, JsonNode actual, int limit) {
        List<String> out = new ArrayList<>();
        diff("", expected, actual, out, limit);
        return out;
    }

    private static void diff(String path, JsonNode expected, JsonNode actual, List<String> out, int limit) {
        if (out.size() >= limit) {
            return;
        }
        String where = path.isEmpty() ? "(whole value)" : path;
        if (expected == null || actual == null) {
            out.add(where + ": expected " + (expected == null ? "nothing" : shown(expected))
                    + ", actual " + (actual == null ? "nothing" : shown(actual)));
            return;
        }
        if (expected.isObject() && actual.isObject()) {
            TreeSet<String> keys = new TreeSet<>();
            expected.properties().forEach(f -> keys.add(f.getKey()));
            actual.properties().forEach(f -> keys.add(f.getKey()));
            for (String key : keys) {
                diff(path + "." + key, expected.get(key), actual.get(key), out, limit);
            }
            return;
        }
        if (expected.isArray() && actual.isArray()) {
            for (int i = 0; i < Math.max(expected.size(), actual.size()); i++) {
                diff(path + "[" + i + "]", expected.get(i), actual.get(i), out, limit);
            }
            return;
        }
        if (!scalarEqual(expected, actual)) {
            out.add(where + ": expected " + shown(expected) + ", actual " + shown(actual));
        }
    }

    private static boolean scalarEqual(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            if (a.isIntegralNumber() != b.isIntegralNumber()) {
                return false;
            }
            return a.isIntegralNumber()
                    ? a.bigIntegerValue().equals(b.bigIntegerValue())
                    : Double.compare(a.doubleValue(), b.doubleValue()) == 0;
        }
        return a.getNodeType() == b.getNodeType() && !a.isContainerNode() && a.equals(b);
    }

    /** A value as one line of text, cut to a readable length. */
    static String shown(JsonNode value) {
        String text = PythonJson.transcriptLine(value);
        return text.length() <= SHOWN_CHARS ? text : text.substring(0, SHOWN_CHARS) + "... (" + text.length() + " chars)";
    }
}
