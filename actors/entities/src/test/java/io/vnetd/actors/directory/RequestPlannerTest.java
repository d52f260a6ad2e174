package io.vnetd.actors.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.NicModel;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilter;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The directory's rules as pure functions of a request and the index: no actor, no entity. */
class RequestPlannerTest {

    private static final Placements SINGLE = new Placements("local", false);

    private final NetIndex index = new NetIndex();

    private void netdev(NetdevConfig config, long ordinal, long hubOrdinal, String peer) {
        index.update(new Confirmed.OfNetdev(new NetdevCommand.Done(config.id(), new NetdevState.Present(config, true,
                Optional.ofNullable(peer).map(NetClientRef::nic), ordinal, hubOrdinal), "ok", "local")));
    }

    private void hubport(String id, int hubid, long ordinal, long hubOrdinal) {
        netdev(new NetdevConfig.Hubport(id, hubid, Optional.empty()), ordinal, hubOrdinal, null);
    }

    private void nic(NicModel model, String name, String netdev, String mac, String qomPath, long ordinal) {
        var config = new NicConfig(name, qomPath.startsWith("/machine/peripheral/") ? Optional.of(name) : Optional.empty(),
                model, Optional.ofNullable(netdev), MacAddress.of(mac), qomPath, Optional.empty(), Optional.empty(), false);
        index.update(new Confirmed.OfNic(new NicCommand.Done(name, new NicState.Present(config, true,
                Optional.ofNullable(netdev), RxFilter.reset(config.mac()), true, false, ordinal), "local")));
    }

    private Plan netdevAdd(NetdevConfig config) {
        return RequestPlanner.planNetdev(config, false, index, SINGLE, Optional.empty(), "local");
    }

    private String refusal(Runnable planning) {
        return assertThrows(NetException.class, planning::run).desc();
    }

    private static NicRequest device(String driver, String id, String netdev, String mac, String... unknown) {
        return new NicRequest(driver, Optional.ofNullable(id), Optional.ofNullable(netdev), Optional.ofNullable(mac),
                Optional.empty(), Optional.empty(), false, List.of(unknown));
    }

    @Test
    void netdevAddChecksInQemusOrderAndTakesTheNextOrdinals() {
        hubport("h0", 0, 2, 1);
        var badIdAndTaken = new NetdevConfig.Hubport("0x", 0, Optional.of("nosuch"));
        assertEquals("Parameter 'id' expects an identifier", refusal(() -> netdevAdd(badIdAndTaken)));
        var takenAndBadOptions = new NetdevConfig.Stream("h0", SocketAddress.Inet.of("127.0.0.1", "1"),
                Optional.of(true), Optional.of(5L));
        assertEquals("Duplicate ID 'h0'", refusal(() -> netdevAdd(takenAndBadOptions)));
        assertEquals("netdev 'nosuch' not found",
                refusal(() -> netdevAdd(new NetdevConfig.Hubport("h1", 0, Optional.of("nosuch")))));

        assertEquals(new Plan.CreateNetdev(new NetdevConfig.Hubport("h1", 0, Optional.of("h0")), Optional.of("h0"), 3, 1, "local"),
                netdevAdd(new NetdevConfig.Hubport("h1", 0, Optional.of("h0"))), "a port of an existing hub");
        assertEquals(new Plan.CreateNetdev(new NetdevConfig.Hubport("h2", 7, Optional.empty()), Optional.empty(), 4, 3, "local"),
                netdevAdd(new NetdevConfig.Hubport("h2", 7, Optional.empty())), "a new hub is created before its port");
    }

    @Test
    void aTypeWithoutABackendIsRefusedBeforeItsIdIsLookedUp() {
        hubport("h0", 0, 1, 1);
        assertEquals("network backend 'nic' is not compiled into this binary",
                refusal(() -> netdevAdd(new NetdevConfig.Unsupported("h0", "nic"))));
    }

    @Test
    void aNetdevWithAPeerAlreadyTakesNoOther() {
        netdev(new NetdevConfig.Hubport("h0", 0, Optional.empty()), 1, 1, "vnic");
        assertEquals("netdev 'h0' is already in use",
                refusal(() -> netdevAdd(new NetdevConfig.Hubport("h1", 0, Optional.of("h0")))));
    }

    @Test
    void aDeclaredNetdevIsLeftInPlaceOrRefusedAfterTheRulesThatNeedNoState() {
        hubport("h0", 0, 1, 1);
        assertEquals(new Plan.InPlace(), RequestPlanner.planNetdev(new NetdevConfig.Hubport("h0", 0, Optional.empty()), true, index, SINGLE, Optional.empty(), "local"));
        assertEquals("netdev 'h0' exists in the journal with another configuration; delete it with netdev_del or change"
                + " the option", refusal(() -> RequestPlanner.planNetdev(new NetdevConfig.Hubport("h0", 3, Optional.empty()),
                true, index, SINGLE, Optional.empty(), "local")));
        assertEquals("Parameter 'id' expects an identifier",
                refusal(() -> RequestPlanner.planNetdev(new NetdevConfig.Hubport("0h", 0, Optional.empty()), true, index, SINGLE, Optional.empty(), "local")));
        assertEquals("network backend 'user' is not compiled into this binary",
                refusal(() -> RequestPlanner.planNetdev(new NetdevConfig.Unsupported("h0", "user"), true, index, SINGLE, Optional.empty(), "local")));
    }

    @Test
    void deviceAddChecksInQemusOrderAndFillsInQemusDefaults() {
        hubport("h0", 0, 1, 1);
        netdev(new NetdevConfig.Hubport("h1", 0, Optional.empty()), 2, 1, "enic");
        nic(NicModel.E1000, "enic", "h1", "52:54:00:12:34:56", "/machine/peripheral/enic", 3);
        assertEquals("'e1001' is not a valid device model name",
                refusal(() -> RequestPlanner.planNic(device("e1001", "0x", "nosuch", "zz"), index, "local")));
        assertEquals("Parameter 'id' expects an identifier",
                refusal(() -> RequestPlanner.planNic(device("e1000", "0x", "nosuch", "zz"), index, "local")));
        assertEquals("Duplicate ID 'enic' for device",
                refusal(() -> RequestPlanner.planNic(device("e1000", "enic", "nosuch", "zz"), index, "local")));
        assertEquals("Property 'virtio-net-device.netdev' can't find value 'nosuch'",
                refusal(() -> RequestPlanner.planNic(device("virtio-net-pci", null, "nosuch", "zz"), index, "local")));
        assertEquals("Property 'e1000.netdev' can't take value 'h1', it's in use",
                refusal(() -> RequestPlanner.planNic(device("e1000", null, "h1", "zz"), index, "local")));
        assertEquals("Property 'e1000.mac' doesn't take value 'zz'",
                refusal(() -> RequestPlanner.planNic(device("e1000", null, "h0", "zz", "speed"), index, "local")));
        assertEquals("Property 'e1000.speed' not found",
                refusal(() -> RequestPlanner.planNic(device("e1000", null, "h0", null, "speed"), index, "local")));

        Plan anonymous = RequestPlanner.planNic(device("e1000", null, "h0", null), index, "local");
        assertEquals(new Plan.CreateNic(new NicConfig("e1000.1", Optional.empty(), NicModel.E1000, Optional.of("h0"),
                MacAddress.of("52:54:00:12:34:57"), "/machine/peripheral-anon/device[0]", Optional.empty(), Optional.empty(),
                false), 4, "local"), anonymous, "the next name of its model, the first free automatic MAC, the first anonymous path");
        index.reserve(anonymous);
        var next = (Plan.CreateNic) RequestPlanner.planNic(device("e1000", null, null, null), index, "local");
        assertEquals("/machine/peripheral-anon/device[1]", next.config().qomPath());
        assertEquals(5, next.ordinal(), "a reserved plan's ordinal and path are not handed out again");
    }

    @Test
    void setLinkReachesANetdevsNicAndReadsFollowQemusWalk() {
        netdev(new NetdevConfig.Hubport("h0", 0, Optional.empty()), 1, 1, "vnic");
        nic(NicModel.VIRTIO_NET_PCI, "vnic", "h0", "52:54:00:12:34:56", "/machine/peripheral/vnic", 2);
        nic(NicModel.E1000, "enic", null, "52:54:00:12:34:57", "/machine/peripheral/enic", 3);
        assertEquals(List.of(NetClientRef.netdev("h0"), NetClientRef.nic("vnic")), RequestPlanner.linkTargets("h0", index));
        assertEquals(List.of(NetClientRef.nic("vnic")), RequestPlanner.linkTargets("vnic", index));
        var unknown = assertThrows(NetException.class, () -> RequestPlanner.linkTargets("nosuch", index));
        assertEquals(new NetException(ErrorClass.DeviceNotFound, "Device 'nosuch' not found"), unknown);

        assertEquals(List.of("vnic"), RequestPlanner.rxFilterTargets(Optional.empty(), index));
        assertEquals("net client(h0) isn't a NIC", refusal(() -> RequestPlanner.rxFilterTargets(Optional.of("h0"), index)));
        assertEquals("net client(enic) doesn't support rx-filter querying",
                refusal(() -> RequestPlanner.rxFilterTargets(Optional.of("enic"), index)));
    }

    @Test
    void requestsHoldTheClientsTheyTouchAndDevicesHoldTheirNamespace() {
        netdev(new NetdevConfig.Hubport("h0", 0, Optional.empty()), 1, 1, "vnic");
        nic(NicModel.VIRTIO_NET_PCI, "vnic", "h0", "52:54:00:12:34:56", "/machine/peripheral/vnic", 2);
        assertEquals(List.of(Lock.of(NetClientRef.netdev("h0")), Lock.of(NetClientRef.nic("vnic"))),
                RequestLocks.of(new DirectoryCommand.DelNetdev("h0", null), index, SINGLE));
        assertEquals(List.of(Lock.DEVICES, Lock.of(NetClientRef.nic("vnic")), Lock.of(NetClientRef.netdev("h0"))),
                RequestLocks.of(new DirectoryCommand.DelNic("/machine/peripheral/vnic", null), index, SINGLE));
        assertEquals(List.of(Lock.DEVICES, Lock.of(NetClientRef.netdev("h1"))),
                RequestLocks.of(new DirectoryCommand.AddNic(device("e1000", null, "h1", null), "local", false, null), index, SINGLE));
    }

    @Test
    void inAClusterEachClientLivesWhereItWasPutAndHubsSpanTheirNodes() {
        Placements cluster = new Placements("n1", true);
        hubport("a", 1, 1, 1);
        hubport("b", 1, 2, 1);
        hubport("c", 2, 3, 3);
        cluster.place(NetClientRef.netdev("b"), "n2");
        cluster.place(NetClientRef.netdev("c"), "n2");
        assertEquals(new Placements.Placement("n1", "a"), cluster.of(NetClientRef.netdev("a")),
                "recorded by a single node: the first seed's, under its plain name");
        assertEquals(new Placements.Placement("n2", "b@n2"), cluster.of(NetClientRef.netdev("b")));
        assertEquals(new Placements.Placement("n3", "d@n3"), cluster.ofEntity("d@n3"));
        assertEquals(new io.vnetd.actors.cluster.HubSpans(java.util.Map.of(1, java.util.Set.of("n1", "n2"))),
                Projections.hubSpans(index, cluster), "hub 2 lives on n2 alone");
        assertEquals(List.of(NetClientRef.netdev("b"), NetClientRef.netdev("c")),
                RequestPlanner.clientsOn("n2", index, cluster));

        Plan onPeer = RequestPlanner.planNetdev(new NetdevConfig.Hubport("e", 1, Optional.of("c")), false, index,
                cluster, Optional.empty(), "n1");
        assertEquals("n2", ((Plan.CreateNetdev) onPeer).node(), "a hubport goes to its peer's node");
        assertEquals("netdev 'c' is on vnetd node 'n2': a netdev and its peer share a node",
                refusal(() -> RequestPlanner.planNetdev(new NetdevConfig.Hubport("e", 1, Optional.of("c")), false, index,
                        cluster, Optional.of("n1"), "n1")));
        assertEquals("n3", ((Plan.CreateNetdev) RequestPlanner.planNetdev(new NetdevConfig.Hubport("e", 1, Optional.empty()),
                false, index, cluster, Optional.of("n3"), "n1")).node(), "or where the request names");
        assertEquals("*e", ((Plan.CreateNetdev) RequestPlanner.planNetdev(new NetdevConfig.Hubport("e", 1, Optional.empty()),
                false, index, cluster, Optional.empty(), "n1")).node(), "else a hubport may move, as its own group");
        cluster.place(NetClientRef.netdev("e"), "*e");
        cluster.located(NetClientRef.netdev("e"), "n3");
        assertEquals(Optional.of("n3"), cluster.where(NetClientRef.netdev("e")));
        assertEquals(List.of(NetClientRef.netdev("e")), cluster.movedFrom("n3"));
        assertEquals("e", io.vnetd.actors.cluster.PlacedId.group("nic@*e"));
    }
}
