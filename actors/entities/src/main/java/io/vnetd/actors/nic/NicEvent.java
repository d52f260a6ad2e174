package io.vnetd.actors.nic;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import java.util.List;

/** What happened to a NIC, as journaled: plug and unplug, link, and everything its guest programmed. */
public sealed interface NicEvent extends JsonSerializable {

    /** @param ordinal its place in creation order among all net clients */
    record Created(NicConfig config, long ordinal) implements NicEvent {
    }

    record Deleted() implements NicEvent {
    }

    record LinkSet(boolean up) implements NicEvent {
    }

    /** Its backend was deleted: QEMU leaves the NIC without peer and with its link down. */
    record PeerDeleted() implements NicEvent {
    }

    record RxFlagSet(RxFilter.RxFlag flag, boolean on) implements NicEvent {
    }

    /** The table as the device keeps it, overflow already applied. */
    record MacTableSet(List<MacAddress> unicast, List<MacAddress> multicast,
                       boolean unicastOverflow, boolean multicastOverflow) implements NicEvent {
    }

    record MainMacSet(MacAddress mac) implements NicEvent {
    }

    record VlanSet(int vid, boolean member) implements NicEvent {
    }

    /** The guest acknowledged its features. */
    record FeaturesAcked(boolean ctrlVlan, boolean standby) implements NicEvent {
    }

    /** The guest reset the device: the filter is back to compatibility mode. */
    record GuestReset() implements NicEvent {
    }

    /** {@code NIC_RX_FILTER_CHANGED} was sent; no more until {@code query-rx-filter} looks at the NIC. */
    record RxFilterChangeNotified() implements NicEvent {
    }

    /** {@code query-rx-filter} looked at the NIC: the next change is notified again. */
    record RxFilterNotifyRearmed() implements NicEvent {
    }
}
