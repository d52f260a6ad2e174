package io.vnetd.qmp.visit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.qmp.schema.ArrayType;
import io.vnetd.qmp.schema.EnumType;
import io.vnetd.qmp.schema.Member;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.QapiType;
import io.vnetd.qmp.schema.Schema;
import java.util.Iterator;

/**
 * Lays out what vnetd sends (command results, event data) as QEMU's QObject output visitor would:
 * members in schema order, absent optional members left out. The order of insertion matters on the
 * wire for members that share a QDict bucket. A value that does not fit its type is a bug in vnetd
 * and raises {@link IllegalStateException}; QEMU cannot send such a value either.
 */
public final class OutputShaper {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Schema schema;

    public OutputShaper(Schema schema) {
        this.schema = schema;
    }

    public JsonNode shape(String typeName, JsonNode value) {
        QapiType type = schema.type(typeName);
        return switch (type) {
            case ObjectType o -> object(o, value);
            case ArrayType a -> {
                require(value.isArray(), typeName, value);
                ArrayNode out = NODES.arrayNode(value.size());
                for (JsonNode element : value) {
                    out.add(shape(a.elementType(), element));
                }
                yield out;
            }
            case EnumType e -> {
                require(value.isTextual() && e.accepts(value.textValue()), typeName, value);
                yield value;
            }
            default -> value;
        };
    }

    private ObjectNode object(ObjectType type, JsonNode value) {
        require(value.isObject(), type.name(), value);
        ObjectNode out = NODES.objectNode();
        members(type, value, out);
        Iterator<String> names = value.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!out.has(name) && !value.get(name).isNull()) {
                throw new IllegalStateException("'" + name + "' is no member of " + type.name());
            }
        }
        return out;
    }

    private void members(ObjectType type, JsonNode value, ObjectNode out) {
        for (Member m : type.members()) {
            JsonNode member = value.get(m.name());
            if (member == null || member.isNull() && !m.type().equals("null")) {
                if (!m.optional()) {
                    throw new IllegalStateException(type.name() + " lacks its member '" + m.name() + "'");
                }
                continue;
            }
            out.set(m.name(), shape(m.type(), member));
        }
        type.variants().ifPresent(variants -> {
            String tag = out.get(variants.tag()).textValue();
            members((ObjectType) schema.type(variants.branch(tag).orElseThrow().type()), value, out);
        });
    }

    private static void require(boolean fits, String typeName, JsonNode value) {
        if (!fits) {
            throw new IllegalStateException("not a " + typeName + ": " + value);
        }
    }
}
