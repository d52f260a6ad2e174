package io.vnetd.actors.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.RecordingPorts;
import io.vnetd.actors.nic.NicCommand.Done;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.service.NetEvent;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class NicEntityTest {

    private static final ActorTestKit TESTKIT = ActorTestKit.create(
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    private final RecordingPorts ports = new RecordingPorts();
    private final List<NetEvent> events = new CopyOnWriteArrayList<>();

    @AfterAll
    static void stop() {
        TESTKIT.shutdownTestKit();
    }

    private EventSourcedBehaviorTestKit<NicCommand, NicEvent, NicState> nic(NicModel model, boolean failover) {
        var kit = EventSourcedBehaviorTestKit.<NicCommand, NicEvent, NicState>create(TESTKIT.system(),
                NicEntity.create("vnic", ports, events::add, IdlePassivation.never()));
        var config = new NicConfig("vnic", Optional.of("vnic"), model, Optional.of("h0"),
                MacAddress.of("52:54:00:12:34:56"), "/machine/peripheral/vnic", Optional.empty(), Optional.empty(), failover);
        kit.<EntityReply<Done>>runCommand(replyTo -> new NicCommand.Create(config, 1, replyTo));
        return kit;
    }

    private static NicCommand guest(GuestControl control, org.apache.pekko.actor.typed.ActorRef<EntityReply<Done>> replyTo) {
        return new NicCommand.Guest(control, replyTo);
    }

    @Test
    void theFirstChangeNotifiesAndLaterOnesWaitForAQuery() {
        var kit = nic(NicModel.VIRTIO_NET_PCI, false);
        var first = kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.SetRxFlag(RxFilter.RxFlag.ALLMULTI, true), r));
        assertEquals(List.of(new NicEvent.RxFlagSet(RxFilter.RxFlag.ALLMULTI, true), new NicEvent.RxFilterChangeNotified()),
                first.events());
        var second = kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.SetMac(MacAddress.of("52:54:00:aa:bb:cc")), r));
        assertEquals(List.of(new NicEvent.MainMacSet(MacAddress.of("52:54:00:aa:bb:cc"))), second.events());
        assertEquals(1, events.size());

        var query = kit.<EntityReply<Done>>runCommand(NicCommand.QueryRxFilter::new);
        assertEquals(List.of(new NicEvent.RxFilterNotifyRearmed()), query.events());
        assertTrue(kit.<EntityReply<Done>>runCommand(NicCommand.QueryRxFilter::new).hasNoEvents(), "already armed");
        kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.SetVlan(3, true), r));
        assertEquals(2, events.size());
    }

    @Test
    void theNotifyFlagAndTheFilterSurviveARestart() {
        var kit = nic(NicModel.VIRTIO_NET_PCI, false);
        kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.SetRxFlag(RxFilter.RxFlag.PROMISC, false), r));
        var restarted = kit.restart();
        var state = (NicState.Present) restarted.state();
        assertEquals(false, state.notifyArmed());
        assertEquals(false, state.rxFilter().promiscuous());
        assertEquals(false, ports.filters.get("vnic").promiscuous(), "recovery hands the filter to the data plane");
    }

    @Test
    void failoverIsAnnouncedWhenTheGuestAcknowledgesStandby() {
        var kit = nic(NicModel.VIRTIO_NET_PCI, true);
        kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.AckFeatures(true, true), r));
        assertEquals(List.of(new NetEvent.FailoverNegotiated("vnic")), events);
        assertEquals("none", ((NicState.Present) kit.getState()).rxFilter().vlanState());
    }

    @Test
    void modelsWithoutAFilterRefuseGuestControlAndQueries() {
        var kit = nic(NicModel.E1000, false);
        var query = kit.<EntityReply<Done>>runCommand(NicCommand.QueryRxFilter::new);
        assertEquals(new EntityReply.Refused<>(NetException.generic("net client(vnic) doesn't support rx-filter querying")),
                query.reply());
        var control = kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.Reset(), r));
        assertTrue(control.hasNoEvents());
    }

    @Test
    void outOfRangeVlansAreRefused() {
        var kit = nic(NicModel.VIRTIO_NET_PCI, false);
        var result = kit.<EntityReply<Done>>runCommand(r -> guest(new GuestControl.SetVlan(4096, true), r));
        assertTrue(result.hasNoEvents());
        assertEquals(new EntityReply.Refused<>(NetException.generic("VLAN id 4096 is out of range 0-4095")), result.reply());
    }
}
