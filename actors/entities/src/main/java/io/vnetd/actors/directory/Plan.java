package io.vnetd.actors.directory;

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

    /** {@code set_link} on each of {@code clients}. */
    record SetLink(List<NetClientRef> clients, boolean up) implements Plan {
    }

    /** {@code device_add}: the NIC's netdev (if any) records the peering first, then the NIC is created. */
    record CreateNic(NicConfig config, long ordinal, String node) implements Plan {
    }

    /** {@code device_del}: the NIC is deleted, then its netdev (if any) released. */
    record DeleteNic(String nic, Optional<String> netdev) implements Plan {
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
