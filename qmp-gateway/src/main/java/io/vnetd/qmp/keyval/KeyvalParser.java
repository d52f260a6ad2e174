package io.vnetd.qmp.keyval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * QEMU's keyval syntax (util/keyval.c), as {@code -netdev} and {@code -device} take it:
 * {@code key=value} pairs separated by commas, a doubled comma standing for a comma in a value, an
 * implied first key when the first pair has no {@code =}, dotted keys for nested objects and numeric
 * components for list elements. Every value is a string; {@link KeyvalTyper} gives them their types.
 */
public final class KeyvalParser {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private KeyvalParser() {
    }

    /**
     * @param impliedKey the key of a first element without {@code =} ({@code type} for -netdev,
     *                   {@code driver} for -device)
     * @throws IllegalArgumentException with QEMU's wording where it has one
     */
    public static ObjectNode parse(String text, String impliedKey) {
        ObjectNode root = NODES.objectNode();
        int pos = 0;
        boolean first = true;
        while (pos < text.length()) {
            int keyEnd = pos;
            while (keyEnd < text.length() && text.charAt(keyEnd) != '=' && text.charAt(keyEnd) != ',') {
                keyEnd++;
            }
            String key;
            if ((keyEnd == text.length() || text.charAt(keyEnd) == ',') && first && impliedKey != null) {
                key = impliedKey;
                keyEnd = pos;
            } else {
                key = text.substring(pos, keyEnd);
                if (keyEnd == text.length() || text.charAt(keyEnd) != '=') {
                    throw new IllegalArgumentException("Expected '=' after parameter '" + key + "'");
                }
                keyEnd++;
            }
            StringBuilder value = new StringBuilder();
            int p = keyEnd;
            while (p < text.length()) {
                char c = text.charAt(p);
                if (c == ',') {
                    if (p + 1 < text.length() && text.charAt(p + 1) == ',') {
                        value.append(',');
                        p += 2;
                        continue;
                    }
                    break;
                }
                value.append(c);
                p++;
            }
            put(root, key, value.toString());
            pos = p + 1;
            first = false;
        }
        return (ObjectNode) listify(root, "");
    }

    private static void put(ObjectNode root, String key, String value) {
        String[] parts = key.split("\\.", -1);
        ObjectNode node = root;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (part.isEmpty() || !part.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                throw new IllegalArgumentException("Invalid parameter '" + key + "'");
            }
            JsonNode existing = node.get(part);
            if (i == parts.length - 1) {
                if (existing != null && existing.isObject()) {
                    throw new IllegalArgumentException("Parameter '" + key + "' conflicts with '" + key + ".*'");
                }
                node.put(part, value);
            } else {
                if (existing != null && !existing.isObject()) {
                    throw new IllegalArgumentException("Parameter '" + key + "' conflicts with its prefix");
                }
                node = existing != null ? (ObjectNode) existing : node.putObject(part);
            }
        }
    }

    /** Objects whose keys are all numbers become lists, as QEMU's {@code keyval_listify}. */
    private static JsonNode listify(JsonNode node, String path) {
        if (!node.isObject()) {
            return node;
        }
        ObjectNode object = (ObjectNode) node;
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            object.set(name, listify(object.get(name), path.isEmpty() ? name : path + "." + name));
        }
        if (names.isEmpty() || !names.stream().allMatch(n -> n.chars().allMatch(Character::isDigit))) {
            if (names.stream().anyMatch(n -> n.chars().allMatch(Character::isDigit))) {
                throw new IllegalArgumentException("Parameter '" + path + "' mixes list indices and other keys");
            }
            return object;
        }
        Map<Integer, JsonNode> byIndex = new TreeMap<>();
        names.forEach(n -> byIndex.put(Integer.parseInt(n), object.get(n)));
        ArrayNode list = NODES.arrayNode();
        int expected = 0;
        for (Map.Entry<Integer, JsonNode> element : byIndex.entrySet()) {
            if (element.getKey() != expected++) {
                throw new IllegalArgumentException("Parameter '" + path + "." + (expected - 1) + "' missing");
            }
            list.add(element.getValue());
        }
        return list;
    }
}
