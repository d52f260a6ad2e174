package io.vnetd.actors.directory;

import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicConfig;
import java.util.List;
import java.util.Optional;

/**
 * What an accepted request does, worked out from the index before any entity is asked: which
 * entities, in which order, with which ordinals. {@link RequestPlanner} makes it, {@link EntityWork}
 * carries it out.
 */
sealed interface Plan {

    /** A command-line declaration found in place, as given: nothing to do. */
    record InPlace() implements Plan {
    }

    /**
     * {@code netdev_add}: {@code peer} (a hubport's {@code netdev=}) records the peering first, then
     * the netdev is created.
     *
     * @param ordinal    its place in creation order
     * @param hubOrdinal for a hubport, the creation order of its hub
     * @param node       the node it will live on
     */
    record CreateNetdev(NetdevConfig config, Optional<String> peer, long ordinal, long hubOrdinal, String node)
            implements Plan {
    }

    /** {@code netdev_del}: the netdev is deleted, then its peer (if any) released. */
    record DeleteNetdev(String id, Optional<NetClientRef> peer) implements Plan {
    }

    /**
     * {@code set_link} on {@code netdev} and {@code nics}. A netdev with NICs is three writes, in the
     * order that lets a crash leave only what the next start completes: the netdev's link naming the
     * NICs, the NICs' links, the netdev's record that they have it ({@link NetdevEvent.LinkSet}).
     * {@code unfinished}: changes a failed command left half done on these clients, completed first so
     * that a later start cannot complete one over this command's link.
     */
    record SetLink(Optional<String> netdev, List<String> nics, boolean up, List<LinkChange> unfinished)
            implements Plan {
    }

    /** A netdev's journaled link change, which {@code alongWith} may not have yet. */
    record LinkChange(String netdev, boolean up, List<NetClientRef> alongWith) {
        static Optional<LinkChange> of(NetdevState.Present state) {
            return state.linkPending().isEmpty() ? Optional.empty()
                    : Optional.of(new LinkChange(state.config().id(), state.linkUp(), state.linkPending()));
        }
    }

    /** {@code device_add}: the NIC's netdev (if any) records the peering first, then the NIC is created. */
    record CreateNic(NicConfig config, long ordinal, String node) implements Plan {
    }

    /**
     * {@code device_del}: the NIC is deleted, then its netdev (if any) released. {@code unfinished}:
     * link changes naming the NIC, completed first, so that none outlives it to reach a NIC of its name.
     */
    record DeleteNic(String nic, Optional<String> netdev, List<LinkChange> unfinished) implements Plan {
    }

    /** {@code query-rx-filter} of these NICs, listed in this order. */
    record QueryRxFilter(List<String> nics) implements Plan {
    }

    /** Asks each of {@code clients} for its state (which starts it where it lives). */
    record Wake(List<NetClientRef> clients) implements Plan {
    }

    /** A control message from a NIC's guest side. */
    record Guest(String nic, GuestControl control) implements Plan {
    }
}
