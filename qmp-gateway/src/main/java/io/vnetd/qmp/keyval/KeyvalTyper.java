package io.vnetd.qmp.keyval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.Map;
import java.util.Optional;

/**
 * Gives keyval strings their schema types, as QEMU's keyval input visitor does: integers in decimal,
 * octal or hex, sizes with a suffix, booleans {@code on}/{@code off}. The result is then checked by
 * the same {@link io.vnetd.qmp.visit.InputVisitor} as QMP arguments, so the command line and QMP
 * obey one schema. Values that do not parse stay strings and are refused by that check.
 */
public final class KeyvalTyper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Schema schema;

    public KeyvalTyper(Schema schema) {
        this.schema = schema;
    }

    /** Types the members of {@code value} as {@code typeName}, in place where it can. */
    public JsonNode type(JsonNode value, String typeName, String path) {
        QapiType type = schema.type(typeName);
        return switch (type) {
            case BuiltinType builtin -> scalar(value, builtin, path);
            case EnumType e -> value;
            case ArrayType array -> {
                if (!value.isArray()) {
                    yield value;
                }
                ArrayNode typed = NODES.arrayNode();
                for (int i = 0; i < value.size(); i++) {
                    typed.add(type(value.get(i), array.elementType(), path + "[" + i + "]"));
                }
                yield typed;
            }
            case ObjectType object -> value.isObject() ? struct((ObjectNode) value, object, path) : value;
            case AlternateType alternate -> alternate(value, alternate, path);
        };
    }

    private ObjectNode struct(ObjectNode value, ObjectType type, String path) {
        for (Member member : type.members()) {
            JsonNode memberValue = value.get(member.name());
            if (memberValue != null) {
                value.set(member.name(), type(memberValue, member.type(), join(path, member.name())));
            }
        }
        type.variants().ifPresent(variants -> {
            JsonNode tag = value.get(variants.tag());
            Optional<Variant> branch = tag != null && tag.isTextual() ? variants.branch(tag.textValue()) : Optional.empty();
            branch.ifPresent(b -> struct(value, (ObjectType) schema.type(b.type()), path));
        });
        return value;
    }

    /** An alternate takes a scalar as its scalar branch and an object as its object branch. */
    private JsonNode alternate(JsonNode value, AlternateType type, String path) {
        for (Variant branch : type.branches()) {
            QapiType branchType = schema.type(branch.type());
            if (value.isObject() == branchType instanceof ObjectType) {
                return type(value, branch.type(), path);
            }
        }
        return value;
    }

    private static JsonNode scalar(JsonNode value, BuiltinType type, String path) {
        if (!value.isTextual()) {
            return value;
        }
        String text = value.textValue();
        return switch (type.name()) {
            case "bool" -> switch (text) {
                case "on", "yes", "true", "y" -> NODES.booleanNode(true);
                case "off", "no", "false", "n" -> NODES.booleanNode(false);
                default -> value;
            };
            case "int", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64" ->
                    integer(text).<JsonNode>map(NODES::numberNode).orElse(value);
            case "size" -> size(text).<JsonNode>map(NODES::numberNode).orElse(value);
            case "number" -> {
                try {
                    yield NODES.numberNode(Double.parseDouble(text));
                } catch (NumberFormatException e) {
                    yield value;
                }
            }
            default -> value;
        };
    }

    private static Optional<BigInteger> integer(String text) {
        try {
            String digits = text.startsWith("-") ? text.substring(1) : text;
            BigInteger magnitude;
            if (digits.startsWith("0x") || digits.startsWith("0X")) {
                magnitude = new BigInteger(digits.substring(2), 16);
            } else if (digits.length() > 1 && digits.startsWith("0")) {
                magnitude = new BigInteger(digits.substring(1), 8);
            } else {
                magnitude = new BigInteger(digits, 10);
            }
            return Optional.of(text.startsWith("-") ? magnitude.negate() : magnitude);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static final Map<Character, Integer> SIZE_SHIFTS = Map.of(
            'b', 0, 'k', 10, 'K', 10, 'M', 20, 'G', 30, 'T', 40, 'P', 50, 'E', 60);

    private static Optional<BigInteger> size(String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        Integer shift = SIZE_SHIFTS.get(text.charAt(text.length() - 1));
        String number = shift == null ? text : text.substring(0, text.length() - 1);
        return integer(number).map(n -> n.shiftLeft(shift == null ? 0 : shift));
    }

    private static String join(String path, String member) {
        return path.isEmpty() ? member : path + "." + member;
    }
}
