package io.vnetd.actors.netdev;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;

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

    record LinkSet(boolean up) implements NetdevEvent {
    }

    /** Another net client named this one as its peer (a hubport's {@code netdev=}, a NIC's {@code netdev}). */
    record PeerAttached(NetClientRef peer) implements NetdevEvent {
    }

    /** The peer went away (deleted, or found one-sided after a crash). */
    record PeerDetached() implements NetdevEvent {
    }
}
