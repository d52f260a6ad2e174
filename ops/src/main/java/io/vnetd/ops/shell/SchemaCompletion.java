package io.vnetd.ops.shell;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * What the shell offers on TAB, read from a server's {@code query-qmp-schema}: command names for the first word;
 * then the members of the command's argument type ({@code id=}, {@code type=}; {@code addr.} for a member that is
 * an object, whose members complete after the dot), including those of a union's branch once its discriminator is
 * given ({@code netdev_add type=hubport h} offers {@code hubid=}), or of every branch until then; and after
 * {@code KEY=}, the values of an enum or a boolean member.
 */
public final class SchemaCompletion implements Completions {

    private final Map<String, JsonNode> entities = new HashMap<>();
    private final TreeSet<String> commands = new TreeSet<>();

    private SchemaCompletion(JsonNode schemaInfo) {
        for (JsonNode entity : schemaInfo) {
            String name = entity.path("name").asText();
            entities.put(name, entity);
            if (entity.path("meta-type").asText().equals("command")) {
                commands.add(name);
            }
        }
    }

    /** Completion from {@code query-qmp-schema}'s {@code return}: a list of {@code SchemaInfo}. */
    public static SchemaCompletion of(JsonNode schemaInfo) {
        return new SchemaCompletion(schemaInfo);
    }

    @Override
    public List<Suggestion> suggest(List<String> words, int index) {
        String word = index < words.size() ? words.get(index) : "";
        List<Suggestion> suggestions = new ArrayList<>();
        if (index == 0) {
            if (!word.startsWith("{")) {
                for (String command : commands.tailSet(word)) {
                    if (!command.startsWith(word)) {
                        break;
                    }
                    suggestions.add(new Suggestion(command, true, "command"));
                }
            }
            return suggestions;
        }
        JsonNode command = entities.get(words.getFirst());
        if (command == null || !command.path("meta-type").asText().equals("command")) {
            return suggestions;
        }
        Map<String, String> given = new LinkedHashMap<>();
        for (int i = 1; i < words.size(); i++) {
            int equals = words.get(i).indexOf('=');
            if (i != index && equals > 0) {
                given.put(words.get(i).substring(0, equals), words.get(i).substring(equals + 1));
            }
        }
        String argType = command.path("arg-type").asText();
        int equals = word.indexOf('=');
        if (equals >= 0) {
            String key = word.substring(0, equals);
            JsonNode member = member(argType, key, given);
            if (member != null) {
                for (String value : values(member.path("type").asText())) {
                    if (value.startsWith(word.substring(equals + 1))) {
                        suggestions.add(new Suggestion(key + "=" + value, true, null));
                    }
                }
            }
            return suggestions;
        }
        int dot = word.lastIndexOf('.');
        String prefix = dot < 0 ? "" : word.substring(0, dot + 1);
        String objectType = dot < 0 ? argType : memberType(argType, word.substring(0, dot), given);
        if (objectType == null) {
            return suggestions;
        }
        for (JsonNode member : members(objectType, prefix, given)) {
            String key = prefix + member.path("name").asText();
            if (given.containsKey(key) || !key.startsWith(word)) {
                continue;
            }
            JsonNode type = entities.get(member.path("type").asText());
            String description = describe(type) + (member.has("default") ? ", optional" : "");
            boolean isObject = type != null && type.path("meta-type").asText().equals("object");
            suggestions.add(new Suggestion(key + (isObject ? "." : "="), false, description));
        }
        return suggestions;
    }

    /**
     * The members of an object type, at {@code prefix} in the arguments: its own, then those of the branch its
     * discriminator selects in {@code given}, or of every branch while none is given.
     */
    private List<JsonNode> members(String typeName, String prefix, Map<String, String> given) {
        JsonNode type = entities.get(typeName);
        List<JsonNode> members = new ArrayList<>();
        if (type == null || !type.path("meta-type").asText().equals("object")) {
            return members;
        }
        type.path("members").forEach(members::add);
        if (type.has("tag")) {
            String selected = given.get(prefix + type.path("tag").asText());
            for (JsonNode variant : type.path("variants")) {
                if (selected == null || selected.equals(variant.path("case").asText())) {
                    for (JsonNode member : members(variant.path("type").asText(), prefix, given)) {
                        if (members.stream().noneMatch(m -> m.path("name").equals(member.path("name")))) {
                            members.add(member);
                        }
                    }
                }
            }
        }
        return members;
    }

    /** The member a dotted key names, from the argument type down; null if there is none. */
    private JsonNode member(String argType, String dottedKey, Map<String, String> given) {
        String[] path = dottedKey.split("\\.", -1);
        String typeName = argType;
        String prefix = "";
        JsonNode found = null;
        for (String part : path) {
            if (typeName == null) {
                return null;
            }
            found = null;
            for (JsonNode member : members(typeName, prefix, given)) {
                if (member.path("name").asText().equals(part)) {
                    found = member;
                }
            }
            if (found == null) {
                return null;
            }
            typeName = found.path("type").asText();
            prefix = prefix + part + ".";
        }
        return found;
    }

    private String memberType(String argType, String dottedKey, Map<String, String> given) {
        JsonNode member = member(argType, dottedKey, given);
        return member == null ? null : member.path("type").asText();
    }

    /** The values a member of this type can take when they can be listed: an enum's, a boolean's. */
    private List<String> values(String typeName) {
        JsonNode type = entities.get(typeName);
        List<String> values = new ArrayList<>();
        if (type == null) {
            return values;
        }
        switch (type.path("meta-type").asText()) {
            case "enum" -> type.path("members").forEach(m -> values.add(m.path("name").asText()));
            case "builtin" -> {
                if (type.path("json-type").asText().equals("boolean")) {
                    values.addAll(List.of("true", "false"));
                }
            }
            case "alternate" -> type.path("members").forEach(m -> values.addAll(values(m.path("type").asText())));
            default -> {
                // Objects, arrays and free values have no list.
            }
        }
        return values;
    }

    private static String describe(JsonNode type) {
        if (type == null) {
            return "value";
        }
        return switch (type.path("meta-type").asText()) {
            case "builtin" -> type.path("name").asText();
            case "array" -> "list";
            default -> type.path("meta-type").asText();
        };
    }
}
