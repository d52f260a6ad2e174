package io.vnetd.qmp.schema;

import java.util.List;

/** An enumeration; its values are the members whose condition holds on this host. */
public record EnumType(String name, List<EnumMember> members, List<String> features, Doc doc) implements QapiType {

    public EnumType {
        members = List.copyOf(members);
        features = List.copyOf(features);
    }

    public record EnumMember(String name, List<String> features) {
        public EnumMember {
            features = List.copyOf(features);
        }
    }

    public boolean accepts(String value) {
        for (EnumMember m : members) {
            if (m.name().equals(value)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String jsonType() {
        return "string";
    }
}
