package io.vnetd.actors.netdev;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.List;

/**
 * What happened to a netdev, as journaled. Records only ever gain optional members; a change of
 * meaning needs a new record and a migration, never a rewrite of history.
 */
public sealed interface NetdevEvent extends JsonSerializable {

    /**
     * The netdev was created (again, if it had been deleted).
     *
     * @param ordinal    its place in creation order among all net clients (listings follow it)
     * @param hubOrdinal for a hubport, the creation order of its hub (QEMU lists hubs newest first)
     */
    record Created(NetdevConfig config, long ordinal, long hubOrdinal) implements NetdevEvent {
    }

    record Deleted() implements NetdevEvent {
    }

    /**
     * The link was set. {@code alongWith} are the other net clients the same {@code set_link} sets (a
     * peer NIC): journaled here first, so that a crash before they have their link too leaves a record of
     * the command, which the next start completes ({@link LinkSetCompleted} closes it).
     */
    record LinkSet(boolean up, @JsonInclude(JsonInclude.Include.NON_EMPTY) List<NetClientRef> alongWith)
            implements NetdevEvent {
        public LinkSet {
            alongWith = alongWith == null ? List.of() : List.copyOf(alongWith);
        }

        public LinkSet(boolean up) {
            this(up, List.of());
        }
    }

    /** Every client a {@link LinkSet} named along with this netdev has its link set too. */
    record LinkSetCompleted() implements NetdevEvent {
    }

    /** Another net client named this one as its peer (a hubport's {@code netdev=}, a NIC's {@code netdev}). */
    record PeerAttached(NetClientRef peer) implements NetdevEvent {
    }

    /** The peer went away (deleted, or found one-sided after a crash). */
    record PeerDetached() implements NetdevEvent {
    }
}
