package io.vnetd.qmp.visit;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.vnetd.qmp.json.JsonOutput;
import io.vnetd.qmp.json.QDictOrder;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.schema.AlternateType;
import io.vnetd.qmp.schema.ArrayType;
import io.vnetd.qmp.schema.BuiltinType;
import io.vnetd.qmp.schema.EnumType;
import io.vnetd.qmp.schema.Member;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.QapiType;
import io.vnetd.qmp.schema.Schema;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Writes a result straight into its output, byte for byte as {@link OutputShaper} would lay out its
 * Jackson tree and {@link QmpJsonWriter} write it, without either tree: a listing of 100,000 clients
 * holds 3 million values, and building two trees of them took longer than writing them.
 *
 * <p>The schema drives the walk, as it drives the shaper: an object's members in the {@link QDictOrder}
 * of the schema's member order (computed once per type), absent optional members left out. Values come
 * from records (a component named as Jackson names it), lists, maps, {@code Optional}s, strings,
 * integers and booleans; anything else (an enum constant, a record with Jackson annotations beyond
 * {@link JsonProperty}, a union) takes the tree's way, through {@code toTree}, so the two ways cannot
 * disagree. A value that does not fit its type raises {@link IllegalStateException}, as in the shaper.
 */
public final class OutputWriter {

    private final Schema schema;
    private final OutputShaper shaper;
    private final Function<Object, JsonNode> toTree;
    /** By Java type, then by schema type name. */
    private final ClassValue<Map<String, Optional<Layout>>> layouts = new ClassValue<>() {
        @Override
        protected Map<String, Optional<Layout>> computeValue(Class<?> javaType) {
            return new ConcurrentHashMap<>();
        }
    };
    private final ClassValue<Optional<Method>> jsonValues = new ClassValue<>() {
        @Override
        protected Optional<Method> computeValue(Class<?> javaType) {
            return Arrays.stream(javaType.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(JsonValue.class) && m.getParameterCount() == 0)
                    .filter(Method::trySetAccessible)
                    .findFirst();
        }
    };

    /** @param toTree a value as the tree's way serializes it (Jackson, as for every other result) */
    public OutputWriter(Schema schema, Function<Object, JsonNode> toTree) {
        this.schema = schema;
        this.shaper = new OutputShaper(schema);
        this.toTree = toTree;
    }

    public void write(String typeName, Object value, JsonOutput out) {
        write(schema.type(typeName), value, out);
    }

    private void write(QapiType type, Object value, JsonOutput out) {
        if (!direct(type, value, out)) {
            JsonNode tree = value == null ? NullNode.getInstance() : toTree.apply(value);
            QmpJsonWriter.write(shaper.shape(type.name(), tree), out);
        }
    }

    /** @return whether {@code value} was written without a tree */
    private boolean direct(QapiType type, Object value, JsonOutput out) {
        // The shaper takes values of these as they are; it checks enums, arrays and objects.
        boolean unchecked = type instanceof BuiltinType || type instanceof AlternateType;
        switch (value) {
            case String s when unchecked -> QmpJsonWriter.string(s, out);
            case String s when type instanceof EnumType e -> {
                if (!e.accepts(s)) {
                    throw new IllegalStateException("not a " + e.name() + ": " + s);
                }
                QmpJsonWriter.string(s, out);
            }
            case Boolean b when unchecked -> out.ascii(b ? "true" : "false");
            case Integer i when unchecked -> out.number(i);
            case Long l when unchecked -> out.number(l);
            case List<?> list when type instanceof ArrayType a -> {
                QapiType elementType = schema.type(a.elementType());
                out.ascii('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) {
                        out.ascii(", ");
                    }
                    write(elementType, list.get(i), out);
                }
                out.ascii(']');
            }
            case Record r when type instanceof ObjectType o && o.variants().isEmpty() -> {
                Optional<Layout> layout = layout(r.getClass(), o);
                if (layout.isEmpty()) {
                    return false;
                }
                Method[] accessors = layout.get().accessors();
                object(layout.get(), o, i -> accessors[i] == null ? null : invoke(accessors[i], r), out);
                for (Method extra : layout.get().others()) {
                    if (present(invoke(extra, r), false) != null) {
                        throw new IllegalStateException("'" + Layout.jsonName(extra) + "' is no member of " + o.name());
                    }
                }
            }
            case Map<?, ?> map when type instanceof ObjectType o && o.variants().isEmpty() -> {
                Layout layout = layout(Map.class, o).orElseThrow();
                int written = object(layout, o, i -> map.get(o.members().get(i).name()), out);
                if (map.size() > written) {
                    for (Map.Entry<?, ?> member : map.entrySet()) {
                        if (member.getValue() != null && !layout.names().contains(member.getKey())) {
                            throw new IllegalStateException("'" + member.getKey() + "' is no member of " + o.name());
                        }
                    }
                }
            }
            case null, default -> {
                // A class whose JSON form is another value (Jackson's @JsonValue) is written as that value.
                Optional<Method> jsonValue = value == null ? Optional.empty() : jsonValues.get(value.getClass());
                if (jsonValue.isEmpty()) {
                    return false;
                }
                write(type, invoke(jsonValue.get(), value), out);
            }
        }
        return true;
    }

    /** @return how many members were written */
    private int object(Layout layout, ObjectType type, IntFunction<Object> members, JsonOutput out) {
        out.ascii('{');
        int written = 0;
        for (int index : layout.order()) {
            Member member = type.members().get(index);
            Object value = present(members.apply(index), member.type().equals("null"));
            if (value == null) {
                if (!member.optional()) {
                    throw new IllegalStateException(type.name() + " lacks its member '" + member.name() + "'");
                }
                continue;
            }
            if (written++ > 0) {
                out.ascii(", ");
            }
            out.ascii(layout.keys()[index]);
            write(layout.types()[index], value, out);
        }
        out.ascii('}');
        return written;
    }

    /**
     * @param nullIsValue whether a JSON null is a value (of a member of type null) rather than no value,
     *                    the shaper's rule
     * @return the value of a present member, unwrapped from its {@code Optional}; null for an absent one
     */
    private static Object present(Object value, boolean nullIsValue) {
        return switch (value) {
            case null -> null;
            case Optional<?> o -> o.orElse(null);
            case OptionalInt o -> o.isPresent() ? o.getAsInt() : null;
            case OptionalLong o -> o.isPresent() ? o.getAsLong() : null;
            case OptionalDouble o -> o.isPresent() ? o.getAsDouble() : null;
            case JsonNode node when node.isNull() && !nullIsValue -> null;
            default -> value;
        };
    }

    private static Object invoke(Method method, Object target) {
        try {
            return method.invoke(target);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    /**
     * How the values of {@code javaType} (a record, or {@link Map}) fill {@code type}: none for a record
     * that Jackson would serialize in a way of its own, which then takes the tree's way.
     */
    private Optional<Layout> layout(Class<?> javaType, ObjectType type) {
        return layouts.get(javaType).computeIfAbsent(type.name(), name -> Layout.of(javaType, type, schema));
    }

    /**
     * @param order     the indexes of the type's members, in QDict order
     * @param keys      by member index: its name as written, and the colon after it
     * @param types     by member index: its type
     * @param names     the members' names
     * @param accessors by member index: the record component that holds it, if any
     * @param others    the record's components that are no member (a bug unless absent)
     */
    private record Layout(int[] order, byte[][] keys, QapiType[] types, Set<String> names, Method[] accessors,
                          List<Method> others) {

        static Optional<Layout> of(Class<?> javaType, ObjectType type, Schema schema) {
            List<String> names = type.members().stream().map(Member::name).toList();
            byte[][] keys = names.stream().map(Layout::key).toArray(byte[][]::new);
            QapiType[] types = type.members().stream().map(m -> schema.type(m.type())).toArray(QapiType[]::new);
            Method[] accessors = new Method[names.size()];
            List<Method> others = new ArrayList<>();
            if (javaType.isRecord()) {
                if (jacksonShaped(javaType)) {
                    return Optional.empty();
                }
                for (RecordComponent component : javaType.getRecordComponents()) {
                    Method accessor = component.getAccessor();
                    if (!accessor.trySetAccessible()) {
                        return Optional.empty();
                    }
                    int index = names.indexOf(jsonName(accessor));
                    if (index < 0) {
                        others.add(accessor);
                    } else {
                        accessors[index] = accessor;
                    }
                }
            }
            return Optional.of(new Layout(QDictOrder.order(names), keys, types, Set.copyOf(names), accessors,
                    List.copyOf(others)));
        }

        private static byte[] key(String name) {
            JsonOutput key = new JsonOutput();
            QmpJsonWriter.string(name, key);
            return key.ascii(": ").toByteArray();
        }

        /** A component's name as Jackson gives it: {@link JsonProperty} reaches the accessor from the component. */
        private static String jsonName(Method accessor) {
            JsonProperty property = accessor.getAnnotation(JsonProperty.class);
            return property != null && !property.value().isEmpty() ? property.value() : accessor.getName();
        }

        /**
         * Whether Jackson would serialize the record some way of its own: an annotation of Jackson's
         * but a name, on the record or any of its fields and methods, or a public getter besides the
         * components (Jackson lists those too).
         */
        private static boolean jacksonShaped(Class<?> record) {
            List<String> components = Arrays.stream(record.getRecordComponents()).map(RecordComponent::getName).toList();
            List<AnnotatedElement> annotated = new ArrayList<>(List.of(record));
            annotated.addAll(List.of(record.getDeclaredFields()));
            for (Method m : record.getDeclaredMethods()) {
                annotated.add(m);
                boolean getter = m.getName().startsWith("get") || m.getName().startsWith("is");
                if (getter && Modifier.isPublic(m.getModifiers()) && !Modifier.isStatic(m.getModifiers())
                        && m.getParameterCount() == 0 && m.getReturnType() != void.class
                        && !components.contains(m.getName())) {
                    return true;
                }
            }
            for (AnnotatedElement element : annotated) {
                for (Annotation annotation : element.getAnnotations()) {
                    Class<? extends Annotation> kind = annotation.annotationType();
                    if (kind != JsonProperty.class && kind.getPackageName().startsWith("com.fasterxml.jackson")) {
                        return true;
                    }
                }
            }
            return false;
        }
    }
}
