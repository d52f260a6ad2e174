package io.vnetd.actors.nic;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import java.util.Optional;

/** A NIC's durable state: the pure function of its events. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "state")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NicState.Absent.class, name = "absent"),
    @JsonSubTypes.Type(value = NicState.Present.class, name = "present")
})
public sealed interface NicState extends JsonSerializable {

    NicState apply(NicEvent event);

    record Absent() implements NicState {
        @Override
        public NicState apply(NicEvent event) {
            if (event instanceof NicEvent.Created(var config, var ordinal)) {
                return new Present(config, true, config.netdev(), RxFilter.reset(config.mac()), true, false, ordinal);
            }
            throw new IllegalStateException("NIC absent, unexpected " + event);
        }
    }

    /**
     * @param notifyArmed whether the next rx-filter change sends {@code NIC_RX_FILTER_CHANGED}
     * @param standby     whether the guest acknowledged the failover standby feature
     */
    record Present(NicConfig config, boolean linkUp, Optional<String> peer, RxFilter rxFilter,
                   boolean notifyArmed, boolean standby, long ordinal) implements NicState {

        @Override
        public NicState apply(NicEvent event) {
            return switch (event) {
                case NicEvent.Created c -> throw new IllegalStateException("NIC " + config.name() + " exists");
                case NicEvent.Deleted d -> new Absent();
                case NicEvent.LinkSet(var up) -> new Present(config, up, peer, rxFilter, notifyArmed, standby, ordinal);
                case NicEvent.PeerDeleted d ->
                        new Present(config, false, Optional.empty(), rxFilter, notifyArmed, standby, ordinal);
                case NicEvent.RxFlagSet(var flag, var on) -> withFilter(rxFilter.withFlag(flag, on));
                case NicEvent.MacTableSet t -> withFilter(new RxFilter(rxFilter.promiscuous(), rxFilter.allMulti(),
                        rxFilter.allUni(), rxFilter.noMulti(), rxFilter.noUni(), rxFilter.noBroadcast(),
                        t.unicast(), t.multicast(), t.unicastOverflow(), t.multicastOverflow(),
                        rxFilter.vlans(), rxFilter.vlanFiltering(), rxFilter.mainMac()));
                case NicEvent.MainMacSet(var mac) -> withFilter(rxFilter.withMainMac(mac));
                case NicEvent.VlanSet(var vid, var member) -> withFilter(rxFilter.withVlan(vid, member));
                case NicEvent.FeaturesAcked(var ctrlVlan, var standbyAcked) -> new Present(config, linkUp, peer,
                        rxFilter.withVlanFiltering(ctrlVlan), notifyArmed, standbyAcked, ordinal);
                case NicEvent.GuestReset r ->
                        new Present(config, linkUp, peer, RxFilter.reset(config.mac()), notifyArmed, false, ordinal);
                case NicEvent.RxFilterChangeNotified n ->
                        new Present(config, linkUp, peer, rxFilter, false, standby, ordinal);
                case NicEvent.RxFilterNotifyRearmed n ->
                        new Present(config, linkUp, peer, rxFilter, true, standby, ordinal);
            };
        }

        private Present withFilter(RxFilter filter) {
            return new Present(config, linkUp, peer, filter, notifyArmed, standby, ordinal);
        }
    }
}
