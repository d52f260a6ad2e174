package io.vnetd.qmp.schema;

import java.util.List;

/** {@code [T]}, named {@code TList} as QAPI does. */
public record ArrayType(String name, String elementType) implements QapiType {

    static String nameFor(String elementType) {
        return elementType + "List";
    }

    @Override
    public String jsonType() {
        return "array";
    }

    @Override
    public List<String> features() {
        return List.of();
    }

    @Override
    public Doc doc() {
        return Doc.NONE;
    }
}
