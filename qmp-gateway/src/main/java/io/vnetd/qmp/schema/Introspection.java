package io.vnetd.qmp.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code query-qmp-schema}'s answer, built as QEMU's scripts/qapi/introspect.py builds it: first
 * every command and event in definition order, then every type they use, transitively, in order of
 * first use. Type names are masked as numbers in that same order (clients are meant to look at
 * commands and events, not at type names); built-in types keep their names, all integer types show
 * as {@code int}, and an array is named after its element: {@code [str]}, {@code [42]}.
 */
public final class Introspection {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Schema schema;
    private final List<QapiType> used = new ArrayList<>();
    private final Map<String, String> masked = new HashMap<>();
    private final ArrayNode trees = NODES.arrayNode();

    private Introspection(Schema schema) {
        this.schema = schema;
    }

    /** A list of {@code SchemaInfo}. */
    public static ArrayNode schemaInfo(Schema schema) {
        Introspection introspection = new Introspection(schema);
        for (SchemaEntity entity : schema.definitions()) {
            switch (entity) {
                case Command c -> introspection.command(c);
                case Event e -> introspection.event(e);
                default -> {
                    // types are listed only when used, below
                }
            }
        }
        for (int i = 0; i < introspection.used.size(); i++) {
            introspection.type(introspection.used.get(i));
        }
        return introspection.trees;
    }

    private void command(Command c) {
        Map<String, JsonNode> info = new TreeMap<>();
        info.put("arg-type", NODES.textNode(use(c.argType())));
        info.put("ret-type", NODES.textNode(use(c.retType())));
        if (c.allowOob()) {
            info.put("allow-oob", NODES.booleanNode(true));
        }
        tree(c.name(), "command", info, c.features());
    }

    private void event(Event e) {
        Map<String, JsonNode> info = new TreeMap<>();
        info.put("arg-type", NODES.textNode(use(e.argType())));
        tree(e.name(), "event", info, e.features());
    }

    private void type(QapiType type) {
        Map<String, JsonNode> info = new TreeMap<>();
        switch (type) {
            case BuiltinType b -> {
                info.put("json-type", NODES.textNode(b.jsonType()));
                tree(b.name(), "builtin", info, List.of());
            }
            case EnumType en -> {
                ArrayNode members = NODES.arrayNode();
                ArrayNode values = NODES.arrayNode();
                for (EnumType.EnumMember m : en.members()) {
                    Map<String, JsonNode> member = new TreeMap<>();
                    member.put("name", NODES.textNode(m.name()));
                    features(member, m.features());
                    members.add(object(member));
                    values.add(m.name());
                }
                info.put("members", members);
                info.put("values", values);
                tree(en.name(), "enum", info, en.features());
            }
            case ArrayType a -> {
                String element = use(a.elementType());
                info.put("element-type", NODES.textNode(element));
                tree("[" + element + "]", "array", info, List.of());
            }
            case ObjectType o -> {
                ArrayNode members = NODES.arrayNode();
                for (Member m : o.members()) {
                    Map<String, JsonNode> member = new TreeMap<>();
                    member.put("name", NODES.textNode(m.name()));
                    member.put("type", NODES.textNode(use(m.type())));
                    if (m.optional()) {
                        member.put("default", NODES.nullNode());
                    }
                    features(member, m.features());
                    members.add(object(member));
                }
                info.put("members", members);
                o.variants().ifPresent(variants -> {
                    info.put("tag", NODES.textNode(variants.tag()));
                    ArrayNode cases = NODES.arrayNode();
                    for (Variant v : variants.branches()) {
                        Map<String, JsonNode> variant = new TreeMap<>();
                        variant.put("case", NODES.textNode(v.name()));
                        variant.put("type", NODES.textNode(use(v.type())));
                        cases.add(object(variant));
                    }
                    info.put("variants", cases);
                });
                tree(o.name(), "object", info, o.features());
            }
            case AlternateType alt -> {
                ArrayNode members = NODES.arrayNode();
                for (Variant v : alt.branches()) {
                    members.add(NODES.objectNode().put("type", use(v.type())));
                }
                info.put("members", members);
                tree(alt.name(), "alternate", info, alt.features());
            }
        }
    }

    /** Queues a type for listing and returns the name to show for it. */
    private String use(String name) {
        QapiType type = schema.type(name);
        if (type instanceof BuiltinType b && b.jsonType().equals("int")) {
            type = schema.type("int");
        } else if (type instanceof ArrayType a && schema.type(a.elementType()) instanceof BuiltinType b
                && b.jsonType().equals("int")) {
            type = new ArrayType(ArrayType.nameFor("int"), "int");
        }
        if (!used.contains(type)) {
            used.add(type);
        }
        return switch (type) {
            case BuiltinType b -> b.name();
            case ArrayType a -> "[" + use(a.elementType()) + "]";
            default -> mask(type.name());
        };
    }

    private String mask(String name) {
        return masked.computeIfAbsent(name, n -> Integer.toString(masked.size()));
    }

    /**
     * QEMU generates each SchemaInfo as a literal dict with sorted keys, then adds the name, the
     * meta-type and the features; that insertion order decides ties in the QDict order on the wire.
     */
    private void tree(String name, String metaType, Map<String, JsonNode> info, List<String> features) {
        ObjectNode tree = object(info);
        boolean shown = metaType.equals("command") || metaType.equals("event")
                || metaType.equals("builtin") || metaType.equals("array");
        tree.put("name", shown ? name : mask(name));
        tree.put("meta-type", metaType);
        if (!features.isEmpty()) {
            ArrayNode list = tree.putArray("features");
            features.forEach(list::add);
        }
        trees.add(tree);
    }

    private static void features(Map<String, JsonNode> into, List<String> features) {
        if (!features.isEmpty()) {
            ArrayNode list = NODES.arrayNode();
            features.forEach(list::add);
            into.put("features", list);
        }
    }

    private static ObjectNode object(Map<String, JsonNode> members) {
        ObjectNode node = NODES.objectNode();
        members.forEach(node::set);
        return node;
    }
}
