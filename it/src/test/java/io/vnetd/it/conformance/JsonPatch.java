package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * RFC 6902 JSON Patch ({@code add}, {@code remove}, {@code replace}, {@code copy}, {@code move},
 * {@code test}): lets an expectation state how vnetd's record differs from QEMU's in a few
 * operations instead of repeating a 4096-entry VLAN table.
 */
final class JsonPatch {

    private JsonPatch() {
    }

    /** Applies {@code operations} to a copy of {@code document}. */
    static JsonNode apply(JsonNode document, JsonNode operations) {
        if (!operations.isArray()) {
            throw new IllegalArgumentException("a JSON Patch is an array of operations: " + operations);
        }
        JsonNode doc = document.deepCopy();
        for (JsonNode op : operations) {
            String kind = op.path("op").asText();
            String path = required(op, "path");
            doc = switch (kind) {
                case "add" -> add(doc, path, required(op, "value", op.get("value")).deepCopy());
                case "remove" -> remove(doc, path);
                case "replace" -> add(remove(doc, path), path, required(op, "value", op.get("value")).deepCopy());
                case "copy" -> add(doc, path, get(doc, required(op, "from")).deepCopy());
                case "move" -> {
                    String from = required(op, "from");
                    JsonNode value = get(doc, from);
                    yield add(remove(doc, from), path, value);
                }
                case "test" -> {
                    if (!JsonTrees.equal(required(op, "value", op.get("value")), get(doc, path))) {
                        throw new IllegalArgumentException("JSON Patch test failed at " + path + ": " + JsonTrees.shown(get(doc, path)));
                    }
                    yield doc;
                }
                default -> throw new IllegalArgumentException("unknown JSON Patch operation: " + op);
            };
        }
        return doc;
    }

    private static String required(JsonNode op, String member) {
        JsonNode v = op.get(member);
        if (v == null || !v.isTextual()) {
            throw new IllegalArgumentException("JSON Patch operation without a string '" + member + "': " + op);
        }
        return v.textValue();
    }

    private static JsonNode required(JsonNode op, String member, JsonNode value) {
        if (value == null) {
            throw new IllegalArgumentException("JSON Patch operation without '" + member + "': " + op);
        }
        return value;
    }

    /** RFC 6901 reference tokens: {@code ~1} is '/', {@code ~0} is '~'. */
    private static List<String> tokens(String pointer) {
        if (pointer.isEmpty()) {
            return List.of();
        }
        if (!pointer.startsWith("/")) {
            throw new IllegalArgumentException("a JSON Pointer starts with '/': " + pointer);
        }
        List<String> tokens = new ArrayList<>();
        for (String raw : pointer.substring(1).split("/", -1)) {
            tokens.add(raw.replace("~1", "/").replace("~0", "~"));
        }
        return tokens;
    }

    private static JsonNode get(JsonNode doc, String pointer) {
        JsonNode node = doc;
        for (String token : tokens(pointer)) {
            node = node.isArray() ? node.get(index(node, token, false)) : node.get(token);
            if (node == null) {
                throw new IllegalArgumentException("JSON Pointer " + pointer + " names nothing");
            }
        }
        return node;
    }

    private static JsonNode add(JsonNode doc, String pointer, JsonNode value) {
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            return value;
        }
        JsonNode parent = get(doc, parentOf(pointer));
        String last = tokens.getLast();
        if (parent instanceof ObjectNode object) {
            object.set(last, value);
        } else if (parent instanceof ArrayNode array) {
            if (last.equals("-")) {
                array.add(value);
            } else {
                array.insert(index(array, last, true), value);
            }
        } else {
            throw new IllegalArgumentException("JSON Pointer " + pointer + " has no container to add to");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String pointer) {
        List<String> tokens = tokens(pointer);
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("cannot remove the whole document");
        }
        JsonNode parent = get(doc, parentOf(pointer));
        String last = tokens.getLast();
        if (parent instanceof ObjectNode object && object.has(last)) {
            object.remove(last);
        } else if (parent instanceof ArrayNode array) {
            array.remove(index(array, last, false));
        } else {
            throw new IllegalArgumentException("JSON Pointer " + pointer + " names nothing to remove");
        }
        return doc;
    }

    private static String parentOf(String pointer) {
        return pointer.substring(0, pointer.lastIndexOf('/'));
    }

    private static int index(JsonNode array, String token, boolean forInsert) {
        if (!token.matches("0|[1-9][0-9]*")) {
            throw new IllegalArgumentException("not an array index: " + token);
        }
        int i = Integer.parseInt(token);
        if (i > array.size() || i == array.size() && !forInsert) {
            throw new IllegalArgumentException("array index " + i + " out of range (size " + array.size() + ")");
        }
        return i;
    }
}
