package io.vnetd.actors.netdev;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.actors.serialization.JsonSerializable;
import java.util.Optional;

/**
 * A validated {@code Netdev} union member: the configuration of one network backend, as
 * {@code netdev_add} (or {@code -netdev}) gave it. Serialized in journal events, so each record's
 * JSON form is the QAPI form ({@code type} discriminator, QAPI member names).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NetdevConfig.Hubport.class, name = "hubport")
})
public sealed interface NetdevConfig extends JsonSerializable {

    /** The netdev's id, unique among all net clients. */
    String id();

    /** The {@code NetClientDriver} value. */
    String type();

    /** The netdev this one is peered with by its own configuration (hubport {@code netdev=}). */
    default Optional<String> configuredPeer() {
        return Optional.empty();
    }

    /** {@code NetdevHubPortOptions}: a port of hub {@code hubid}, optionally peered with {@code netdev}. */
    record Hubport(String id, int hubid, Optional<String> netdev) implements NetdevConfig {
        @Override
        public String type() {
            return "hubport";
        }

        @Override
        public Optional<String> configuredPeer() {
            return netdev;
        }
    }
}
