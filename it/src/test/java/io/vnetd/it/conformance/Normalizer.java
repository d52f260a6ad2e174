package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code qmp_run.py --normalize}: removes what changes from run to run (versions, the package,
 * temporary paths, ephemeral ports, timestamps) and sorts query-commands, rule for rule, so that a
 * vnetd transcript normalizes exactly as the recorded QEMU ones did.
 */
final class Normalizer {

    static final String TIMESTAMP = "<TIMESTAMP>";
    static final String NUMBER = "<N>";
    static final String PACKAGE = "<PACKAGE>";
    static final String PATH = "<PATH>";
    static final String EPHEMERAL_PORT = "<EPHEMERAL-PORT>";

    /** Python's {@code \w}, {@code \d}, {@code \s} and {@code \b} are Unicode-aware in str patterns. */
    private static final int PYTHON_STR = Pattern.UNICODE_CHARACTER_CLASS;

    private static final Pattern TMP_PATH = Pattern.compile(
            "(?<![\\w.])(?:/tmp|/var/tmp|/run/user/\\d+|/dev/shm)(?:/[^\\s'\",:;)]*)?", PYTHON_STR);

    /** HOST:PORT with PORT in Linux's ephemeral range 32768-60999: the peer side of an accepted TCP connection. */
    private static final Pattern EPHEMERAL = Pattern.compile(
            "((?:\\d{1,3}\\.){3}\\d{1,3}|\\[[0-9A-Fa-f:.]+\\]|localhost|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}):"
                    + "(3276[89]|327[7-9]\\d|32[89]\\d\\d|3[3-9]\\d{3}|[45]\\d{4}|60\\d{3})\\b", PYTHON_STR);

    /** What Python's {@code int()} accepts from a str: blanks around, a sign, digits with single underscores. */
    private static final Pattern PYTHON_INT = Pattern.compile("\\s*[+-]?\\d+(?:_\\d+)*\\s*", PYTHON_STR);

    private Normalizer() {
    }

    /** {@code normalize(records)}: returns normalized copies; the input is not changed. */
    static List<ObjectNode> normalize(List<ObjectNode> records) {
        List<ObjectNode> result = new ArrayList<>(records.size());
        for (ObjectNode original : records) {
            ObjectNode rec = original.deepCopy();
            rec.remove("t");
            rec.remove("wire");
            if (rec.get("greeting") instanceof ObjectNode greeting
                    && greeting.get("QMP") instanceof ObjectNode qmp && qmp.has("version")) {
                qmp.set("version", versionObject(qmp.get("version")));
            }
            if (rec.get("request") instanceof ObjectNode request && rec.get("response") instanceof ObjectNode response) {
                String command = commandName(request);
                if ("query-version".equals(command) && response.has("return")) {
                    response.set("return", versionObject(response.get("return")));
                }
                if ("query-commands".equals(command) && response.get("return") instanceof ArrayNode commands) {
                    response.set("return", sortedBySortKey(commands));
                }
            }
            for (String key : List.of("events", "final-events")) {
                // Python iterates a missing or null list as empty, and skips non-object events.
                JsonNode events = rec.get(key);
                if (events != null && events.isArray()) {
                    for (JsonNode event : events) {
                        placeholderTimestamp(event);
                    }
                }
            }
            placeholderTimestamp(rec.get("event"));
            result.add((ObjectNode) value(rec));
        }
        return result;
    }

    /**
     * {@link #normalize}, plus one rule qmp_run.py lacks: a {@code query-version} answer inside the
     * {@code responses} of a raw, raw-hex or send step is normalized like one in a command step.
     * The recorded transcripts keep QEMU's real version there ({@code "Debian 1:7.2..."}), which no
     * other server can repeat. Only a {@code return} shaped exactly like a VersionInfo is touched.
     */
    static List<ObjectNode> normalizeForComparison(List<ObjectNode> records) {
        List<ObjectNode> result = normalize(records);
        for (ObjectNode rec : result) {
            for (JsonNode response : rec.path("responses")) {
                if (response instanceof ObjectNode r && isVersionInfo(r.get("return"))) {
                    r.set("return", versionObject(r.get("return")));
                }
            }
        }
        return result;
    }

    private static boolean isVersionInfo(JsonNode v) {
        if (v == null || !v.isObject() || v.size() != 2 || !v.path("package").isTextual()) {
            return false;
        }
        JsonNode qemu = v.get("qemu");
        return qemu != null && qemu.isObject() && qemu.size() == 3
                && qemu.has("major") && qemu.has("minor") && qemu.has("micro");
    }

    /**
     * {@code req.get("execute") or req.get("exec-oob")}: Python's {@code or} falls through on any
     * falsy value ({@code ""}, {@code 0}, {@code null}, ...); only a str can equal a command name.
     */
    private static String commandName(ObjectNode request) {
        JsonNode execute = request.get("execute");
        JsonNode chosen = PythonJson.isTruthy(execute) ? execute : request.get("exec-oob");
        return chosen != null && chosen.isTextual() ? chosen.textValue() : null;
    }

    /** {@code _norm_version_obj}: {"qemu": {"major": N, ...}, "package": "..."} with placeholders. */
    static JsonNode versionObject(JsonNode version) {
        if (!(version instanceof ObjectNode original)) {
            return version;
        }
        ObjectNode copy = original.deepCopy();
        if (copy.get("qemu") instanceof ObjectNode qemu) {
            ObjectNode numbers = JsonNodeFactory.instance.objectNode();
            qemu.properties().forEach(f -> numbers.put(f.getKey(), NUMBER));
            copy.set("qemu", numbers);
        }
        if (copy.has("package")) {
            copy.put("package", PACKAGE);
        }
        return copy;
    }

    private static ArrayNode sortedBySortKey(ArrayNode commands) {
        List<JsonNode> items = new ArrayList<>();
        commands.forEach(items::add);
        // Python's sort is stable, as is List.sort.
        items.sort(Comparator.comparing(PythonJson::sortKey));
        ArrayNode sorted = JsonNodeFactory.instance.arrayNode();
        items.forEach(sorted::add);
        return sorted;
    }

    private static void placeholderTimestamp(JsonNode event) {
        if (event instanceof ObjectNode object && object.has("timestamp")) {
            object.put("timestamp", TIMESTAMP);
        }
    }

    /** {@code _norm_value}: strings everywhere, and the port of every inet SocketAddress object. */
    private static JsonNode value(JsonNode v) {
        if (v.isTextual()) {
            String normalized = string(v.textValue());
            return normalized.equals(v.textValue()) ? v : TextNode.valueOf(normalized);
        }
        if (v instanceof ArrayNode array) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            array.forEach(item -> copy.add(value(item)));
            return copy;
        }
        if (v instanceof ObjectNode object) {
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> field : object.properties()) {
                copy.set(field.getKey(), value(field.getValue()));
            }
            JsonNode type = copy.get("type");
            if (type != null && type.isTextual() && type.textValue().equals("inet") && isEphemeral(copy.get("port"))) {
                copy.put("port", EPHEMERAL_PORT);
            }
            return copy;
        }
        return v;
    }

    /** {@code _norm_str}: temporary paths first, then ephemeral ports in HOST:PORT text. */
    static String string(String s) {
        String paths = TMP_PATH.matcher(s).replaceAll(PATH);
        return EPHEMERAL.matcher(paths).replaceAll("$1:" + EPHEMERAL_PORT);
    }

    /** {@code _is_ephemeral}: {@code 32768 <= int(p) <= 60999}, with Python's {@code int()} conversions. */
    private static boolean isEphemeral(JsonNode port) {
        if (port == null) {
            return false;
        }
        BigInteger value;
        if (port.isIntegralNumber()) {
            value = port.bigIntegerValue();
        } else if (port.isFloatingPointNumber()) {
            double d = port.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return false;
            }
            value = BigDecimal.valueOf(d).toBigInteger();
        } else if (port.isBoolean()) {
            value = port.booleanValue() ? BigInteger.ONE : BigInteger.ZERO;
        } else if (port.isTextual() && PYTHON_INT.matcher(port.textValue()).matches()) {
            value = new BigInteger(port.textValue().strip().replace("_", ""));
        } else {
            return false;
        }
        return value.compareTo(BigInteger.valueOf(32768)) >= 0 && value.compareTo(BigInteger.valueOf(60999)) <= 0;
    }
}
