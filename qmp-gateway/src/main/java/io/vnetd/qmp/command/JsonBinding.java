package io.vnetd.qmp.command;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.vnetd.model.netdev.NetdevConfig;

/**
 * Jackson between schema-checked JSON trees and Java records. Member names are QAPI's; a record
 * spells a name Java cannot ({@code link-up}) with {@code @JsonProperty}. Binding an argument the
 * record does not know fails: the schema and the record disagree, which is a bug to surface.
 */
public final class JsonBinding {

    private static final JsonInclude.Value NON_ABSENT =
            JsonInclude.Value.construct(JsonInclude.Include.NON_ABSENT, JsonInclude.Include.NON_ABSENT);

    private static final ObjectMapper ARGUMENTS = JsonMapper.builder().addModule(new Jdk8Module()).build();

    private static final ObjectMapper RESULTS = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .defaultPropertyInclusion(NON_ABSENT)
            .build();

    /** Event records name members in camelCase unless annotated; QAPI event members are kebab-case. */
    private static final ObjectMapper EVENTS = JsonMapper.builder()
            .addModule(new Jdk8Module())
            .defaultPropertyInclusion(NON_ABSENT)
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .build();

    private JsonBinding() {
    }

    public static <T> T bind(JsonNode tree, Class<T> type) {
        try {
            return ARGUMENTS.treeToValue(tree, type);
        } catch (JsonProcessingException e) {
            throw mismatch(type, e);
        }
    }

    /**
     * A schema-checked {@code Netdev} ({@code netdev_add}'s arguments, a {@code -netdev} option) as
     * its record, or as {@link NetdevConfig.Unsupported} for a type vnetd has no record for: the
     * network service checks {@code netdev_add}'s rules, and refuses that one in QEMU's words.
     */
    public static NetdevConfig netdev(JsonNode checked) {
        try {
            return ARGUMENTS.treeToValue(checked, NetdevConfig.class);
        } catch (InvalidTypeIdException e) {
            return new NetdevConfig.Unsupported(checked.get("id").textValue(), checked.get("type").textValue());
        } catch (JsonProcessingException e) {
            throw mismatch(NetdevConfig.class, e);
        }
    }

    private static IllegalStateException mismatch(Class<?> type, JsonProcessingException e) {
        return new IllegalStateException("arguments do not bind to " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }

    public static JsonNode result(Object value) {
        return value instanceof JsonNode node ? node : RESULTS.valueToTree(value);
    }

    public static JsonNode eventData(Object event) {
        return EVENTS.valueToTree(event);
    }
}
