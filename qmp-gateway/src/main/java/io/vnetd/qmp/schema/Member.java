package io.vnetd.qmp.schema;

import java.util.List;

/** A member of a struct or of a union's base; {@code type} names a type of the schema. */
public record Member(String name, String type, boolean optional, List<String> features) {
    public Member {
        features = List.copyOf(features);
    }
}
