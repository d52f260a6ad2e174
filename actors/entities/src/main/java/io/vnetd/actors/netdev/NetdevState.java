package io.vnetd.actors.netdev;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.List;
import java.util.Optional;

/**
 * A netdev's durable state: the pure function of its events. {@link Absent} is both "never created"
 * and "deleted"; the same name can be created again.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NetdevState.Absent.class, name = "absent"),
    @JsonSubTypes.Type(value = NetdevState.Present.class, name = "present")
})
public sealed interface NetdevState extends JsonSerializable {

    NetdevState apply(NetdevEvent event);

    record Absent() implements NetdevState {
        @Override
        public NetdevState apply(NetdevEvent event) {
            if (event instanceof NetdevEvent.Created(var config, var ordinal, var hubOrdinal)) {
                return new Present(config, true, config.configuredPeer().map(NetClientRef::netdev), ordinal, hubOrdinal);
            }
            throw new IllegalStateException("netdev absent, unexpected " + event);
        }
    }

    /**
     * @param peer        the net client this one is peered with; both sides record it, and a one-sided
     *                    record (left by a crash between the two writes) is not a peering
     * @param linkPending the clients a journaled {@code set_link} on this netdev is still to set to
     *                    {@code linkUp} (empty once the command is complete)
     */
    record Present(NetdevConfig config, boolean linkUp, Optional<NetClientRef> peer, long ordinal, long hubOrdinal,
                   @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NetClientRef> linkPending)
            implements NetdevState {
        public Present {
            linkPending = linkPending == null ? List.of() : List.copyOf(linkPending);
        }

        public Present(NetdevConfig config, boolean linkUp, Optional<NetClientRef> peer, long ordinal, long hubOrdinal) {
            this(config, linkUp, peer, ordinal, hubOrdinal, List.of());
        }

        @Override
        public NetdevState apply(NetdevEvent event) {
            return switch (event) {
                case NetdevEvent.Created c -> throw new IllegalStateException("netdev " + config.id() + " exists");
                case NetdevEvent.Deleted d -> new Absent();
                case NetdevEvent.LinkSet(var up, var alongWith) ->
                        new Present(config, up, peer, ordinal, hubOrdinal, alongWith);
                case NetdevEvent.LinkSetCompleted c -> new Present(config, linkUp, peer, ordinal, hubOrdinal);
                case NetdevEvent.PeerAttached(var p) ->
                        new Present(config, linkUp, Optional.of(p), ordinal, hubOrdinal, linkPending);
                // A peer that is gone needs no link any more.
                case NetdevEvent.PeerDetached d -> new Present(config, linkUp, Optional.empty(), ordinal, hubOrdinal,
                        linkPending.stream().filter(client -> !peer.equals(Optional.of(client))).toList());
            };
        }
    }
}
