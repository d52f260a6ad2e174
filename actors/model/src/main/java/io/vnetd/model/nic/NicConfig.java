package io.vnetd.model.nic;

import io.vnetd.model.JsonSerializable;
import java.util.Optional;

/**
 * A NIC as {@code device_add} created it, after the defaults were settled.
 *
 * @param name    its net client name: the device id, or {@code model.N} when it has none
 * @param id      the device id, if the user gave one
 * @param model   the NIC model
 * @param netdev  the backend it was plugged into
 * @param mac     its MAC address (given, or the first free one from 52:54:00:12:34:56 up)
 * @param qomPath its device path, {@code /machine/peripheral/ID} or {@code /machine/peripheral-anon/device[N]}
 * @param bus     placement, recorded only
 * @param addr    placement, recorded only
 * @param failover whether the guest may negotiate the failover standby feature
 * @param guest    its guest side, if the user attached one (properties {@value GuestSide#PROPERTY},
 *                 {@value GuestSide#NETNS_PROPERTY})
 */
public record NicConfig(String name, Optional<String> id, NicModel model, Optional<String> netdev, MacAddress mac,
                        String qomPath, Optional<String> bus, Optional<String> addr, boolean failover,
                        Optional<GuestSide> guest)
        implements JsonSerializable {

    public NicConfig {
        // A NIC journaled before guest sides existed has none.
        guest = guest == null ? Optional.empty() : guest;
    }

    /** A NIC without a guest side. */
    public NicConfig(String name, Optional<String> id, NicModel model, Optional<String> netdev, MacAddress mac,
                     String qomPath, Optional<String> bus, Optional<String> addr, boolean failover) {
        this(name, id, model, netdev, mac, qomPath, bus, addr, failover, Optional.empty());
    }

    /** What {@code info network} prints after the name and type. */
    public String info() {
        return "model=" + model.driver() + ",macaddr=" + mac;
    }

    /** The path that {@code NIC_RX_FILTER_CHANGED} names: the virtio device itself. */
    public String virtioPath() {
        return model.backendChild().map(child -> qomPath + "/" + child).orElse(qomPath);
    }
}
