package io.vnetd.qmp.visit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.qmp.json.QDictOrder;
import io.vnetd.qmp.schema.AlternateType;
import io.vnetd.qmp.schema.ArrayType;
import io.vnetd.qmp.schema.BuiltinType;
import io.vnetd.qmp.schema.EnumType;
import io.vnetd.qmp.schema.Member;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.QapiType;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.schema.Variant;
import java.math.BigInteger;
import java.util.ArrayDeque;

/**
 * Checks a value against a schema type the way a QMP command's generated marshaller does with
 * QEMU's QObject input visitor (qapi/qobject-input-visitor.c, qapi/qapi-visit-core.c and the
 * generated {@code visit_type_*()}): members in schema order, the first problem wins, and every
 * message has QEMU's wording, including its quirks: a wrong JSON type names the full path
 * ({@code addr.port}, {@code interfaces[0]}) while a value out of range or not in an enum names only
 * the member (or {@code null} for a list element); several unexpected members are reported in
 * GHashTable order.
 *
 * <p>The result is the value as the command sees it: only schema members, integers as 64-bit values
 * (a negative number given for an unsigned type wraps around, as in QEMU), members in schema order.
 */
public final class InputVisitor {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BigInteger TWO_TO_64 = BigInteger.ONE.shiftLeft(64);

    /** One container being visited, QEMU's {@code StackObject}. */
    private static final class Frame {
        final String name;
        final JsonNode node;
        final UnvisitedKeys unvisited;
        int next;
        int index = -1;

        Frame(String name, JsonNode node) {
            this.name = name;
            this.node = node;
            this.unvisited = node.isObject() ? new UnvisitedKeys(QDictOrder.keys((ObjectNode) node)) : null;
        }
    }

    private final Schema schema;
    private final JsonNode root;
    private final ArrayDeque<Frame> stack = new ArrayDeque<>();

    private InputVisitor(Schema schema, JsonNode root) {
        this.schema = schema;
        this.root = root;
    }

    /** Visits a command's arguments (or any dict) as the members of {@code type}. */
    public static ObjectNode visitArguments(Schema schema, ObjectType type, ObjectNode arguments) throws ArgumentException {
        return new InputVisitor(schema, arguments).struct(type, null);
    }

    private JsonNode visit(String typeName, String name) throws ArgumentException {
        QapiType type = schema.type(typeName);
        return switch (type) {
            case BuiltinType b -> builtin(b, name);
            case EnumType e -> enumValue(e, name);
            case ArrayType a -> list(a, name);
            case ObjectType o -> struct(o, name);
            case AlternateType alt -> alternate(alt, name);
        };
    }

    private ObjectNode struct(ObjectType type, String name) throws ArgumentException {
        JsonNode node = get(name, true);
        if (!node.isObject()) {
            throw invalidType(name, "object");
        }
        stack.push(new Frame(name, node));
        ObjectNode out = NODES.objectNode();
        members(type, out);
        String unexpected = stack.peek().unvisited.first();
        if (unexpected != null) {
            throw new ArgumentException("Parameter '" + fullName(unexpected) + "' is unexpected");
        }
        stack.pop();
        return out;
    }

    private void members(ObjectType type, ObjectNode out) throws ArgumentException {
        for (Member m : type.members()) {
            if (m.optional() && tryGet(m.name(), false) == null) {
                continue;
            }
            out.set(m.name(), visit(m.type(), m.name()));
        }
        if (type.variants().isPresent()) {
            ObjectType.Variants variants = type.variants().get();
            String tag = out.get(variants.tag()).textValue();
            Variant branch = variants.branch(tag).orElseThrow();
            members((ObjectType) schema.type(branch.type()), out);
        }
    }

    private ArrayNode list(ArrayType type, String name) throws ArgumentException {
        JsonNode node = get(name, true);
        if (!node.isArray()) {
            throw invalidType(name, "array");
        }
        Frame frame = new Frame(name, node);
        stack.push(frame);
        ArrayNode out = NODES.arrayNode(node.size());
        while (frame.next < node.size()) {
            out.add(visit(type.elementType(), null));
        }
        stack.pop();
        return out;
    }

    private JsonNode alternate(AlternateType type, String name) throws ArgumentException {
        JsonNode node = get(name, false);
        for (Variant branch : type.branches()) {
            if (matches(schema.type(branch.type()), node)) {
                return visit(branch.type(), name);
            }
        }
        throw new ArgumentException("Invalid parameter type for '" + leafName(name) + "', expected: " + type.name());
    }

    /** Which branch of an alternate takes a value: QAPI picks it by the value's JSON type. */
    private static boolean matches(QapiType type, JsonNode node) {
        return switch (type) {
            case ObjectType o -> node.isObject();
            case ArrayType a -> node.isArray();
            case EnumType e -> node.isTextual();
            case AlternateType alt -> false;
            case BuiltinType b -> switch (b.jsonType()) {
                case "string" -> node.isTextual();
                case "int", "number" -> node.isNumber();
                case "boolean" -> node.isBoolean();
                case "null" -> node.isNull();
                default -> true;
            };
        };
    }

    private JsonNode enumValue(EnumType type, String name) throws ArgumentException {
        String value = string(name);
        if (!type.accepts(value)) {
            throw new ArgumentException("Parameter '" + leafName(name) + "' does not accept value '" + value + "'");
        }
        return NODES.textNode(value);
    }

    private JsonNode builtin(BuiltinType type, String name) throws ArgumentException {
        return switch (type.name()) {
            case "str" -> NODES.textNode(string(name));
            case "int", "int64" -> NODES.numberNode(int64(name));
            case "int8" -> NODES.numberNode(intN(name, Byte.MIN_VALUE, Byte.MAX_VALUE, "int8_t"));
            case "int16" -> NODES.numberNode(intN(name, Short.MIN_VALUE, Short.MAX_VALUE, "int16_t"));
            case "int32" -> NODES.numberNode(intN(name, Integer.MIN_VALUE, Integer.MAX_VALUE, "int32_t"));
            case "uint8" -> NODES.numberNode(uintN(name, 0xFF, "uint8_t"));
            case "uint16" -> NODES.numberNode(uintN(name, 0xFFFF, "uint16_t"));
            case "uint32" -> NODES.numberNode(uintN(name, 0xFFFF_FFFFL, "uint32_t"));
            case "uint64", "size" -> unsigned(uint64(name));
            case "number" -> {
                JsonNode node = get(name, true);
                if (!node.isNumber()) {
                    throw invalidType(name, "number");
                }
                yield NODES.numberNode(node.doubleValue());
            }
            case "bool" -> {
                JsonNode node = get(name, true);
                if (!node.isBoolean()) {
                    throw invalidType(name, "boolean");
                }
                yield node;
            }
            case "null" -> {
                JsonNode node = get(name, true);
                if (!node.isNull()) {
                    throw invalidType(name, "null");
                }
                yield node;
            }
            case "any" -> get(name, true);
            default -> throw new IllegalStateException("unknown built-in type " + type.name());
        };
    }

    private String string(String name) throws ArgumentException {
        JsonNode node = get(name, true);
        if (!node.isTextual()) {
            throw invalidType(name, "string");
        }
        return node.textValue();
    }

    private long int64(String name) throws ArgumentException {
        JsonNode node = get(name, true);
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            throw invalidType(name, "integer");
        }
        return node.longValue();
    }

    private long intN(String name, long min, long max, String cType) throws ArgumentException {
        long value = int64(name);
        if (value < min || value > max) {
            throw new ArgumentException("Parameter '" + leafName(name) + "' expects " + cType);
        }
        return value;
    }

    /** As an unsigned 64-bit value in a {@code long}. */
    private long uint64(String name) throws ArgumentException {
        JsonNode node = get(name, true);
        if (!node.isIntegralNumber()) {
            throw new ArgumentException("Parameter '" + fullName(name) + "' expects uint64");
        }
        // The parser keeps integers that fit int64 as such and larger ones only up to 2^64 - 1, so
        // both cases fit; a negative value is accepted and wraps, for QEMU's backward compatibility.
        return node.canConvertToLong() ? node.longValue() : node.bigIntegerValue().longValue();
    }

    private long uintN(String name, long max, String cType) throws ArgumentException {
        long value = uint64(name);
        if (Long.compareUnsigned(value, max) > 0) {
            throw new ArgumentException("Parameter '" + leafName(name) + "' expects " + cType);
        }
        return value;
    }

    private static JsonNode unsigned(long value) {
        return value >= 0 ? NODES.numberNode(value) : NODES.numberNode(BigInteger.valueOf(value).add(TWO_TO_64));
    }

    /** QEMU's {@code qobject_input_get_object()}: the value, which must be there. */
    private JsonNode get(String name, boolean consume) throws ArgumentException {
        JsonNode node = tryGet(name, consume);
        if (node == null) {
            throw new ArgumentException("Parameter '" + fullName(name) + "' is missing");
        }
        return node;
    }

    /**
     * QEMU's {@code qobject_input_try_get_object()}: the member {@code name} of the dict being
     * visited, or the next element of the list being visited; consuming it marks it visited.
     */
    private JsonNode tryGet(String name, boolean consume) {
        Frame top = stack.peek();
        if (top == null) {
            return root;
        }
        if (top.node.isObject()) {
            JsonNode node = top.node.get(name);
            if (consume && node != null) {
                top.unvisited.remove(name);
            }
            return node;
        }
        JsonNode node = top.next < top.node.size() ? top.node.get(top.next) : null;
        if (consume) {
            if (node != null) {
                top.next++;
            }
            top.index++;
        }
        return node;
    }

    private ArgumentException invalidType(String name, String expected) {
        return new ArgumentException("Invalid parameter type for '" + fullName(name) + "', expected: " + expected);
    }

    private static String leafName(String name) {
        return name != null ? name : "null";
    }

    /** QEMU's {@code full_name()}: the path from the root, e.g. {@code hostfwd[0].extra}. */
    private String fullName(String name) {
        StringBuilder path = new StringBuilder();
        for (Frame frame : stack) {
            if (frame.node.isObject()) {
                path.insert(0, name != null ? name : "<anonymous>").insert(0, '.');
            } else {
                path.insert(0, "[" + Integer.toUnsignedString(frame.index) + "]");
            }
            name = frame.name;
        }
        if (name != null) {
            path.insert(0, name);
        } else if (!path.isEmpty() && path.charAt(0) == '.') {
            path.deleteCharAt(0);
        } else if (path.isEmpty()) {
            return "<anonymous>";
        }
        return path.toString();
    }
}
