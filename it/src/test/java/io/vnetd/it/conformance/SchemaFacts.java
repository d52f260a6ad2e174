package io.vnetd.it.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A {@code query-qmp-schema} answer flattened into facts a reader can check, one line each, per
 * command and event: its members with their JSON types and optionality, enum values, union
 * variants, features. Type names are the opaque numbers introspection uses, so two schemas can
 * only be compared structurally; all integer types introspect as {@code int}, as in QEMU.
 *
 * <p>For example {@code command netdev_add arg[type=stream].addr[type=inet].port: string}.
 */
final class SchemaFacts {

    private final Map<String, JsonNode> entities = new HashMap<>();

    SchemaFacts(JsonNode schemaInfoList) {
        for (JsonNode entity : schemaInfoList) {
            entities.put(entity.path("name").asText(), entity);
        }
    }

    /** The commands and events, by name, with their meta-type. */
    Map<String, String> commandsAndEvents() {
        Map<String, String> result = new HashMap<>();
        entities.forEach((name, e) -> {
            String meta = e.path("meta-type").asText();
            if (meta.equals("command") || meta.equals("event")) {
                result.put(name, meta);
            }
        });
        return result;
    }

    /** The facts about one command or event. */
    Set<String> facts(String name) {
        JsonNode e = entities.get(name);
        Set<String> out = new LinkedHashSet<>();
        if (e == null) {
            return out;
        }
        String meta = e.path("meta-type").asText();
        String prefix = meta + " " + name;
        out.add(prefix);
        e.path("features").forEach(f -> out.add(prefix + " feature " + f.asText()));
        if (e.path("allow-oob").asBoolean(false)) {
            out.add(prefix + " allow-oob");
        }
        if (meta.equals("command")) {
            describe(e.path("arg-type").asText(), prefix + " arg", out, List.of());
            String ret = e.path("ret-type").asText();
            out.add(prefix + " ret: " + summary(ret));
            describe(ret, prefix + " ret", out, List.of());
        } else if (e.has("arg-type")) {
            describe(e.path("arg-type").asText(), prefix + " data", out, List.of());
        }
        return out;
    }

    private String summary(String type) {
        JsonNode t = entities.get(type);
        if (t == null) {
            return "<undefined type " + type + ">";
        }
        String meta = t.path("meta-type").asText();
        return meta.equals("builtin") ? t.path("json-type").asText() : meta;
    }

    private void describe(String type, String path, Set<String> out, List<String> enclosing) {
        JsonNode t = entities.get(type);
        if (t == null) {
            return;
        }
        if (enclosing.contains(type)) {
            out.add(path + " <recursive>");
            return;
        }
        List<String> inside = new ArrayList<>(enclosing);
        inside.add(type);
        t.path("features").forEach(f -> out.add(path + " feature " + f.asText()));
        switch (t.path("meta-type").asText()) {
            case "enum" -> {
                for (JsonNode v : t.path("values")) {
                    out.add(path + " = " + v.asText());
                }
                for (JsonNode m : t.path("members")) {
                    m.path("features").forEach(f -> out.add(path + " = " + m.path("name").asText() + " feature " + f.asText()));
                }
            }
            case "array" -> {
                String element = t.path("element-type").asText();
                out.add(path + "[]: " + summary(element));
                describe(element, path + "[]", out, inside);
            }
            case "object" -> {
                for (JsonNode m : t.path("members")) {
                    String member = path + "." + m.path("name").asText();
                    out.add(member + (m.has("default") ? "?" : "") + ": " + summary(m.path("type").asText()));
                    m.path("features").forEach(f -> out.add(member + " feature " + f.asText()));
                    describe(m.path("type").asText(), member, out, inside);
                }
                String tag = t.path("tag").asText();
                for (JsonNode v : t.path("variants")) {
                    describe(v.path("type").asText(), path + "[" + tag + "=" + v.path("case").asText() + "]", out, inside);
                }
            }
            case "alternate" -> {
                for (JsonNode m : t.path("members")) {
                    String alternative = path + "|" + summary(m.path("type").asText());
                    out.add(alternative);
                    describe(m.path("type").asText(), alternative, out, inside);
                }
            }
            default -> {
                // builtin: its JSON type is already in the line that names it
            }
        }
    }
}
