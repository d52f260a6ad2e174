package io.vnetd.qmp.schema;

import java.util.List;
import java.util.Map;

/**
 * A definition's documentation comment, QEMU style ({@code ## / # @name: / ... / ##}).
 *
 * @param body     the free text before the first section
 * @param members  per member (or enum value, or branch): its description
 * @param features per feature: its description
 * @param sections tagged sections ({@code Returns}, {@code Errors}, {@code Since}, {@code Example}, ...) in order
 */
public record Doc(String body, Map<String, String> members, Map<String, String> features, List<Section> sections) {

    public static final Doc NONE = new Doc("", Map.of(), Map.of(), List.of());

    public Doc {
        members = Map.copyOf(members);
        features = Map.copyOf(features);
        sections = List.copyOf(sections);
    }

    /** @param tag e.g. {@code Returns}; the text keeps its line breaks */
    public record Section(String tag, String text) {
    }
}
