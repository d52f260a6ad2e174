package io.vnetd.model.netclient;

import io.vnetd.model.JsonSerializable;

/**
 * A net client by kind and name. Netdev ids and NIC names are separate namespaces in QEMU (a netdev
 * may share its id with a NIC), so a peer is named with its kind.
 */
public record NetClientRef(Kind kind, String name) implements JsonSerializable {

    public enum Kind { NETDEV, NIC }

    public static NetClientRef netdev(String name) {
        return new NetClientRef(Kind.NETDEV, name);
    }

    public static NetClientRef nic(String name) {
        return new NetClientRef(Kind.NIC, name);
    }

    @Override
    public String toString() {
        return (kind == Kind.NETDEV ? "netdev " : "NIC ") + name;
    }
}
