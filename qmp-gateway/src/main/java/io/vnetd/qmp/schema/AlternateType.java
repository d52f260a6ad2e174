package io.vnetd.qmp.schema;

import java.util.List;

/** A value that may have one of several types, told apart by its JSON type. */
public record AlternateType(String name, List<Variant> branches, List<String> features, Doc doc) implements QapiType {

    public AlternateType {
        branches = List.copyOf(branches);
        features = List.copyOf(features);
    }

    @Override
    public String jsonType() {
        return "value";
    }
}
