package io.vnetd.model.netclient;

import io.vnetd.model.JsonSerializable;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One net client (a netdev or a NIC) as the listing commands show it.
 *
 * @param name     the client's unique name
 * @param type     its {@code NetClientDriver} value ({@code hubport}, {@code dgram}, {@code nic}, ...)
 * @param linkUp   its own link state, as last set by {@code set_link}
 * @param peer     the name of its peer, if it has one
 * @param hubId    the hub it is a port of ({@code hubport} only)
 * @param info     QEMU's {@code info_str}: the backend's own summary for {@code info network}
 * @param status   realization status: {@code ok}, or why the backend's resource is unavailable
 * @param node     the vnetd node the client lives on
 * @param counters its port's frame counters, read from the data plane when listed; none while it has
 *                 no port (its resource unavailable)
 */
public record NetClientInfo(
        String name,
        String type,
        boolean linkUp,
        Optional<String> peer,
        OptionalInt hubId,
        String info,
        String status,
        String node,
        Optional<NetClientCounters> counters) implements JsonSerializable {

    /** The status of a client whose resource is held (and of every NIC). */
    public static final String OK = "ok";

    /** A client as the directory knows it: its counters belong to the data plane. */
    public NetClientInfo(String name, String type, boolean linkUp, Optional<String> peer, OptionalInt hubId,
                         String info, String status, String node) {
        this(name, type, linkUp, peer, hubId, info, status, node, Optional.empty());
    }

    /** The same client with its realization status as its entity knows it now. */
    public NetClientInfo withStatus(String currentStatus) {
        return new NetClientInfo(name, type, linkUp, peer, hubId, info, currentStatus, node, counters);
    }

    /** The same client with what its port shows now: its description and its counters. */
    public NetClientInfo withPort(String portInfo, Optional<NetClientCounters> portCounters) {
        return new NetClientInfo(name, type, linkUp, peer, hubId, portInfo, status, node, portCounters);
    }
}
