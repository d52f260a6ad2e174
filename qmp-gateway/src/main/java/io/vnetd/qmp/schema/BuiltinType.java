package io.vnetd.qmp.schema;

import java.util.List;

/**
 * One of QAPI's built-in types. The integer types differ only in range, and in the words QEMU's
 * input visitor uses when a value is out of that range.
 *
 * @param name     e.g. {@code str}, {@code uint32}
 * @param jsonType introspection's {@code json-type}
 */
public record BuiltinType(String name, String jsonType) implements QapiType {

    static final List<BuiltinType> ALL = List.of(
            new BuiltinType("str", "string"),
            new BuiltinType("number", "number"),
            new BuiltinType("int", "int"),
            new BuiltinType("int8", "int"),
            new BuiltinType("int16", "int"),
            new BuiltinType("int32", "int"),
            new BuiltinType("int64", "int"),
            new BuiltinType("uint8", "int"),
            new BuiltinType("uint16", "int"),
            new BuiltinType("uint32", "int"),
            new BuiltinType("uint64", "int"),
            new BuiltinType("size", "int"),
            new BuiltinType("bool", "boolean"),
            new BuiltinType("null", "null"),
            new BuiltinType("any", "value"));

    @Override
    public List<String> features() {
        return List.of();
    }

    @Override
    public Doc doc() {
        return Doc.NONE;
    }
}
