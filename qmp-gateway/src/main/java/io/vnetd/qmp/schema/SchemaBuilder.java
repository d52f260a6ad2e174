package io.vnetd.qmp.schema;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns the expressions of a QAPI schema into its definitions, the way QEMU's scripts/qapi/schema.py
 * does for what vnetd uses: conditions are evaluated first, struct bases are flattened into their
 * members, a union's enum values without a branch get the empty type, and anonymous argument and
 * base dicts become implicit types ({@code q_obj_NAME-arg}, {@code q_obj_NAME-base}).
 */
final class SchemaBuilder {

    private static final String EMPTY = Schema.EMPTY_TYPE;

    private final Set<String> conditions;
    private final Map<String, QapiReader.Expression> typeExpressions = new LinkedHashMap<>();
    private final Map<String, QapiType> types = new LinkedHashMap<>();
    private final Set<String> building = new HashSet<>();
    private final List<SchemaEntity> definitions = new ArrayList<>();

    private SchemaBuilder(Set<String> conditions) {
        this.conditions = Set.copyOf(conditions);
        for (BuiltinType builtin : BuiltinType.ALL) {
            types.put(builtin.name(), builtin);
        }
        types.put(EMPTY, new ObjectType(EMPTY, List.of(), Optional.empty(), List.of(), Doc.NONE));
    }

    static Schema build(List<QapiReader.Expression> expressions, Set<String> conditions) {
        SchemaBuilder builder = new SchemaBuilder(conditions);
        List<QapiReader.Expression> live = expressions.stream().filter(e -> builder.holds(e.body().get("if"))).toList();
        Set<String> names = new HashSet<>();
        for (QapiReader.Expression e : live) {
            String name = builder.definedName(e);
            if (!names.add(name) || builder.types.containsKey(name)) {
                throw new SchemaException(e.location() + ": '" + name + "' is already defined");
            }
            if (!e.body().containsKey("command") && !e.body().containsKey("event")) {
                builder.typeExpressions.put(name, e);
            }
        }
        for (QapiReader.Expression e : live) {
            if (e.body().containsKey("command")) {
                builder.definitions.add(builder.command(e));
            } else if (e.body().containsKey("event")) {
                builder.definitions.add(builder.event(e));
            } else {
                builder.definitions.add(builder.type(builder.definedName(e), e.location()));
            }
        }
        return new Schema(builder.types, builder.definitions);
    }

    private String definedName(QapiReader.Expression e) {
        for (String kind : List.of("enum", "struct", "union", "alternate", "command", "event")) {
            if (e.body().get(kind) instanceof String name) {
                return name;
            }
        }
        throw new SchemaException(e.location() + ": unknown definition " + e.body().keySet());
    }

    /** The named type, built on first use (a struct needs its base built first). */
    private QapiType type(String name, String usedAt) {
        QapiType known = types.get(name);
        if (known != null) {
            return known;
        }
        QapiReader.Expression e = typeExpressions.get(name);
        if (e == null) {
            throw new SchemaException(usedAt + ": type '" + name + "' is not defined (or its condition fails)");
        }
        if (!building.add(name)) {
            throw new SchemaException(e.location() + ": '" + name + "' is its own base");
        }
        Map<String, Object> body = e.body();
        List<String> features = features(body.get("features"));
        QapiType type;
        if (body.containsKey("enum")) {
            type = enumType(name, e, features);
        } else if (body.containsKey("struct")) {
            List<Member> members = new ArrayList<>();
            if (body.get("base") instanceof String base) {
                members.addAll(objectType(base, e.location()).members());
            }
            members.addAll(members(dict(body.get("data"), e), e));
            type = new ObjectType(name, members, Optional.empty(), features, e.doc());
        } else if (body.containsKey("union")) {
            type = union(name, e, features);
        } else {
            List<Variant> branches = new ArrayList<>();
            for (Map.Entry<String, Object> b : dict(body.get("data"), e).entrySet()) {
                Object spec = b.getValue();
                if (spec instanceof Map<?, ?> m && !holds(m.get("if"))) {
                    continue;
                }
                branches.add(new Variant(b.getKey(), typeRef(spec instanceof Map<?, ?> m ? m.get("type") : spec, e)));
            }
            type = new AlternateType(name, branches, features, e.doc());
        }
        building.remove(name);
        types.put(name, type);
        return type;
    }

    private EnumType enumType(String name, QapiReader.Expression e, List<String> features) {
        List<EnumType.EnumMember> members = new ArrayList<>();
        for (Object m : list(e.body().get("data"), e)) {
            if (m instanceof String s) {
                members.add(new EnumType.EnumMember(s, List.of()));
            } else if (m instanceof Map<?, ?> spec) {
                if (holds(spec.get("if"))) {
                    members.add(new EnumType.EnumMember((String) spec.get("name"), features(spec.get("features"))));
                }
            } else {
                throw new SchemaException(e.location() + ": bad enum member " + m);
            }
        }
        return new EnumType(name, members, features, e.doc());
    }

    private ObjectType union(String name, QapiReader.Expression e, List<String> features) {
        Map<String, Object> body = e.body();
        List<Member> members;
        if (body.get("base") instanceof String base) {
            members = objectType(base, e.location()).members();
        } else {
            String baseName = "q_obj_" + name + "-base";
            members = members(dict(body.get("base"), e), e);
            types.put(baseName, new ObjectType(baseName, members, Optional.empty(), List.of(), Doc.NONE));
        }
        String tag = (String) body.get("discriminator");
        Member tagMember = members.stream().filter(m -> m.name().equals(tag)).findFirst()
                .orElseThrow(() -> new SchemaException(e.location() + ": discriminator '" + tag + "' is not a base member"));
        if (tagMember.optional() || !(type(tagMember.type(), e.location()) instanceof EnumType tagType)) {
            throw new SchemaException(e.location() + ": discriminator '" + tag + "' must be a mandatory enum member");
        }
        List<Variant> branches = new ArrayList<>();
        for (Map.Entry<String, Object> b : dict(body.get("data"), e).entrySet()) {
            Object spec = b.getValue();
            if (spec instanceof Map<?, ?> m && !holds(m.get("if"))) {
                continue;
            }
            if (!tagType.accepts(b.getKey())) {
                throw new SchemaException(e.location() + ": branch '" + b.getKey() + "' is not a value of " + tagType.name());
            }
            String branchType = typeRef(spec instanceof Map<?, ?> m ? m.get("type") : spec, e);
            objectType(branchType, e.location());
            branches.add(new Variant(b.getKey(), branchType));
        }
        for (EnumType.EnumMember value : tagType.members()) {
            if (branches.stream().noneMatch(v -> v.name().equals(value.name()))) {
                branches.add(new Variant(value.name(), EMPTY));
            }
        }
        return new ObjectType(name, members, Optional.of(new ObjectType.Variants(tag, branches)), features, e.doc());
    }

    private Command command(QapiReader.Expression e) {
        Map<String, Object> body = e.body();
        String name = (String) body.get("command");
        boolean boxed = Boolean.TRUE.equals(body.get("boxed"));
        String argType = arguments(name, body.get("data"), boxed, e);
        String retType = body.containsKey("returns") ? typeRef(body.get("returns"), e) : EMPTY;
        return new Command(name, argType, retType, boxed, !Boolean.FALSE.equals(body.get("gen")),
                Boolean.TRUE.equals(body.get("allow-oob")), features(body.get("features")), e.doc());
    }

    private Event event(QapiReader.Expression e) {
        String name = (String) e.body().get("event");
        return new Event(name, arguments(name, e.body().get("data"), false, e), features(e.body().get("features")), e.doc());
    }

    private String arguments(String owner, Object data, boolean boxed, QapiReader.Expression e) {
        if (data == null) {
            return EMPTY;
        }
        if (data instanceof String named) {
            ObjectType type = objectType(named, e.location());
            if (type.variants().isPresent() && !boxed) {
                throw new SchemaException(e.location() + ": a union as arguments needs 'boxed': true");
            }
            return named;
        }
        if (boxed) {
            throw new SchemaException(e.location() + ": 'boxed': true needs a named type");
        }
        String implicitName = "q_obj_" + owner + "-arg";
        types.put(implicitName, new ObjectType(implicitName, members(dict(data, e), e), Optional.empty(), List.of(), Doc.NONE));
        return implicitName;
    }

    private ObjectType objectType(String name, String usedAt) {
        if (type(name, usedAt) instanceof ObjectType object) {
            return object;
        }
        throw new SchemaException(usedAt + ": '" + name + "' is not an object type");
    }

    private List<Member> members(Map<String, Object> data, QapiReader.Expression e) {
        List<Member> members = new ArrayList<>();
        for (Map.Entry<String, Object> m : data.entrySet()) {
            Object spec = m.getValue();
            List<String> features = List.of();
            if (spec instanceof Map<?, ?> detailed) {
                if (!holds(detailed.get("if"))) {
                    continue;
                }
                features = features(detailed.get("features"));
                spec = detailed.get("type");
            }
            boolean optional = m.getKey().startsWith("*");
            members.add(new Member(optional ? m.getKey().substring(1) : m.getKey(), typeRef(spec, e), optional, features));
        }
        return members;
    }

    /** A type reference: a name, or a one-element list for an array of it. */
    private String typeRef(Object spec, QapiReader.Expression e) {
        if (spec instanceof String name) {
            type(name, e.location());
            return name;
        }
        if (spec instanceof List<?> l && l.size() == 1 && l.getFirst() instanceof String element) {
            type(element, e.location());
            String arrayName = ArrayType.nameFor(element);
            types.putIfAbsent(arrayName, new ArrayType(arrayName, element));
            return arrayName;
        }
        throw new SchemaException(e.location() + ": bad type reference " + spec);
    }

    private List<String> features(Object spec) {
        List<String> features = new ArrayList<>();
        if (spec instanceof List<?> list) {
            for (Object f : list) {
                if (f instanceof String s) {
                    features.add(s);
                } else if (f instanceof Map<?, ?> m && holds(m.get("if"))) {
                    features.add((String) m.get("name"));
                }
            }
        }
        return features;
    }

    /** Evaluates a QAPI condition: a symbol, or {@code {'all': [...]}}, {@code {'any': [...]}}, {@code {'not': ...}}. */
    private boolean holds(Object condition) {
        if (condition == null) {
            return true;
        }
        if (condition instanceof String symbol) {
            return conditions.contains(symbol);
        }
        if (condition instanceof Map<?, ?> m && m.size() == 1) {
            Object operand = m.values().iterator().next();
            return switch ((String) m.keySet().iterator().next()) {
                case "all" -> ((List<?>) operand).stream().allMatch(this::holds);
                case "any" -> ((List<?>) operand).stream().anyMatch(this::holds);
                case "not" -> !holds(operand);
                default -> throw new SchemaException("bad condition " + condition);
            };
        }
        throw new SchemaException("bad condition " + condition);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> dict(Object value, QapiReader.Expression e) {
        if (value instanceof Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
        throw new SchemaException(e.location() + ": expected a dict, got " + value);
    }

    private static List<?> list(Object value, QapiReader.Expression e) {
        if (value instanceof List<?> l) {
            return l;
        }
        throw new SchemaException(e.location() + ": expected a list, got " + value);
    }
}
