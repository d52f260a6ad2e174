package io.vnetd.qmp.schema;

/** A QAPI type. Types refer to each other by name; {@link Schema#type(String)} resolves a name. */
public sealed interface QapiType extends SchemaEntity
        permits BuiltinType, EnumType, ArrayType, ObjectType, AlternateType {

    /** Introspection's JSON type: {@code string}, {@code int}, {@code number}, {@code boolean}, {@code null}, {@code value}, {@code object}, {@code array}. */
    String jsonType();
}
