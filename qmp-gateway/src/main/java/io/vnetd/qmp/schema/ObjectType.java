package io.vnetd.qmp.schema;

import java.util.List;
import java.util.Optional;

/**
 * A struct, or a union: the members of its base (flattened, base first) and, for a union, the
 * branch chosen by the value of the discriminator member, whose members are merged in.
 *
 * @param variants for a union: the discriminator and one branch per enum value (values without a
 *     branch of their own get the empty type, as in QAPI)
 */
public record ObjectType(String name, List<Member> members, Optional<Variants> variants, List<String> features,
                         Doc doc) implements QapiType {

    public ObjectType {
        members = List.copyOf(members);
        features = List.copyOf(features);
    }

    public record Variants(String tag, List<Variant> branches) {
        public Variants {
            branches = List.copyOf(branches);
        }

        public Optional<Variant> branch(String tagValue) {
            return branches.stream().filter(v -> v.name().equals(tagValue)).findFirst();
        }
    }

    @Override
    public String jsonType() {
        return "object";
    }
}
