package io.vnetd.model.nic;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import java.util.List;

/**
 * What a NIC's guest driver asks of the device: the messages of virtio-net's control queue (and
 * feature negotiation and reset), which alone change the receive filter.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "control")
@JsonSubTypes({
    @JsonSubTypes.Type(value = GuestControl.SetRxFlag.class, name = "rx-flag"),
    @JsonSubTypes.Type(value = GuestControl.SetMacTable.class, name = "mac-table"),
    @JsonSubTypes.Type(value = GuestControl.SetMac.class, name = "mac"),
    @JsonSubTypes.Type(value = GuestControl.SetVlan.class, name = "vlan"),
    @JsonSubTypes.Type(value = GuestControl.AckFeatures.class, name = "features"),
    @JsonSubTypes.Type(value = GuestControl.Reset.class, name = "reset"),
    @JsonSubTypes.Type(value = GuestControl.Mirror.class, name = "mirror")
})
public sealed interface GuestControl extends JsonSerializable {

    /** VIRTIO_NET_CTRL_RX: one rx-mode switch. */
    record SetRxFlag(RxFilter.RxFlag flag, boolean on) implements GuestControl {
    }

    /** VIRTIO_NET_CTRL_MAC_TABLE_SET. */
    record SetMacTable(List<MacAddress> unicast, List<MacAddress> multicast) implements GuestControl {
    }

    /** VIRTIO_NET_CTRL_MAC_ADDR_SET. */
    record SetMac(MacAddress mac) implements GuestControl {
    }

    /** VIRTIO_NET_CTRL_VLAN_ADD / _DEL. */
    record SetVlan(int vid, boolean member) implements GuestControl {
    }

    /** The driver acknowledged its features (VIRTIO_NET_F_CTRL_VLAN, VIRTIO_NET_F_STANDBY). */
    record AckFeatures(boolean ctrlVlan, boolean standby) implements GuestControl {
    }

    /** The driver reset the device. */
    record Reset() implements GuestControl {
    }

    /**
     * The guest's network stack now asks for {@code filter} as a whole (a tap guest side, read through
     * rtnetlink): the NIC journals what differs, as the control-queue messages that would make it.
     */
    record Mirror(RxFilter filter) implements GuestControl {
    }
}
