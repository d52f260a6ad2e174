package io.vnetd.actors.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.netdev.RecordingPorts;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicEntity;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilter;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.port.PortControl;
import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetworkView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The directory with real netdev and NIC entities on Pekko's in-memory test journal. */
class NetDirectoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger INCARNATION = new AtomicInteger();
    private static final DirectoryReply OK = new DirectoryReply.Ok();

    private final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load()));
    private final RecordingPorts ports = new RecordingPorts();
    private final List<NetEvent> events = new CopyOnWriteArrayList<>();
    private final Map<String, ActorRef<NetdevCommand>> netdevs = new ConcurrentHashMap<>();
    private final Map<String, ActorRef<NicCommand>> nics = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private ActorRef<NetdevCommand> netdevEntity(String name) {
        return netdevs.computeIfAbsent(name, n -> testKit.spawn(NetdevEntity.create(n, ports, IdlePassivation.never()),
                "netdev-" + INCARNATION.incrementAndGet()));
    }

    private ActorRef<NicCommand> nicEntity(String name) {
        return nics.computeIfAbsent(name, n -> testKit.spawn(NicEntity.create(n, ports, events::add, IdlePassivation.never()),
                "nic-" + INCARNATION.incrementAndGet()));
    }

    private ActorRef<DirectoryCommand> directory(List<EntityCatalog.EntityId> known) {
        return directory(known, Optional.empty());
    }

    /**
     * A directory whose journal knows {@code known}; with {@code localPorts}, it reads their states from
     * the test journal in one pass and realizes them there, as a single node's does.
     */
    private ActorRef<DirectoryCommand> directory(List<EntityCatalog.EntityId> known, Optional<PortControl> localPorts) {
        return directory(known, localPorts, node -> true);
    }

    private ActorRef<DirectoryCommand> directory(List<EntityCatalog.EntityId> known, Optional<PortControl> localPorts,
                                                 Predicate<String> reachable) {
        PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
        EntityCatalog catalog = new EntityCatalog() {
            @Override
            public <T> CompletionStage<List<T>> visitAll(Function<EntityId, CompletionStage<T>> visit) {
                List<CompletableFuture<T>> all = known.stream().map(n -> visit.apply(n).toCompletableFuture()).toList();
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                        .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
            }

            @Override
            public CompletionStage<List<Object>> events(EntityId entity) {
                return CompletableFuture.completedFuture(List.copyOf(journal.persistedInStorage(entity.type() + "|" + entity.id())));
            }

            @Override
            public <S> CompletionStage<Map<String, Folded<S>>> foldAll(String type, S empty,
                                                                       BiFunction<S, Object, S> apply) {
                Map<String, Folded<S>> states = new HashMap<>();
                known.stream().filter(entity -> entity.type().equals(type)).forEach(entity -> {
                    Folded<S> folded = new Folded<>(0, empty);
                    for (Object event : journal.persistedInStorage(type + "|" + entity.id())) {
                        folded = new Folded<>(folded.sequenceNr() + 1, apply.apply(folded.state(), event));
                    }
                    states.put(entity.id(), folded);
                });
                return CompletableFuture.completedFuture(states);
            }
        };
        return testKit.spawn(NetDirectory.create(new NetDirectory.Settings(placement -> netdevEntity(placement.entityId()),
                placement -> nicEntity(placement.entityId()), new Placements("local", false), reachable,
                entity -> CompletableFuture.completedFuture(entity), catalog, TIMEOUT, 1000, localPorts, Optional.empty())));
    }

    private DirectoryReply call(ActorRef<DirectoryCommand> directory,
                                Function<ActorRef<DirectoryReply>, DirectoryCommand> request) {
        return AskPattern.<DirectoryCommand, DirectoryReply>ask(directory, request::apply, TIMEOUT, testKit.scheduler())
                .toCompletableFuture().join();
    }

    private DirectoryReply add(ActorRef<DirectoryCommand> directory, String id, int hub, String peer) {
        var config = new NetdevConfig.Hubport(id, hub, Optional.ofNullable(peer));
        return call(directory, replyTo -> new DirectoryCommand.AddNetdev(config, Optional.empty(), "local", false, replyTo));
    }

    private DirectoryReply nic(ActorRef<DirectoryCommand> directory, String driver, String id, String netdev, String mac) {
        var request = new NicRequest(driver, Optional.ofNullable(id), Optional.ofNullable(netdev),
                Optional.ofNullable(mac), Optional.of("rp1"), Optional.empty(), false);
        return call(directory, replyTo -> new DirectoryCommand.AddNic(request, "local", false, replyTo));
    }

    private NetworkView view(ActorRef<DirectoryCommand> directory) {
        TestProbe<NetworkView> probe = testKit.createTestProbe();
        directory.tell(new DirectoryCommand.Query(probe.getRef()));
        return probe.receiveMessage(TIMEOUT);
    }

    private static DirectoryReply failed(ErrorClass errorClass, String desc) {
        return new DirectoryReply.Failed(new NetException(errorClass, desc));
    }

    private static DirectoryReply generic(String desc) {
        return failed(ErrorClass.GenericError, desc);
    }

    @Test
    void netdevAddsFollowQemusRulesInQemusOrder() {
        var directory = directory(List.of());
        assertEquals(OK, add(directory, "hp0", 0, null));
        assertEquals(generic("Duplicate ID 'hp0'"), add(directory, "hp0", 1, null));
        assertEquals(generic("netdev 'nosuch' not found"), add(directory, "hp5", 0, "nosuch"));
        assertEquals(generic("netdev 'hp7' not found"), add(directory, "hp7", 0, "hp7"));
        assertEquals(generic("Parameter 'id' expects an identifier"), add(directory, "1x", 0, null));
        assertEquals(OK, add(directory, "hp6", 7, "hp0"));
        assertEquals(generic("netdev 'hp0' is already in use"), add(directory, "hp8", 7, "hp0"));
        var clients = view(directory).clients();
        assertEquals(List.of("hp0", "hp6"), clients.stream().map(NetClientInfo::name).toList());
        assertEquals(Optional.of("hp6"), clients.get(0).peer());
        assertEquals(Optional.of("hp0"), clients.get(1).peer());
    }

    @Test
    void hubsAreListedInCreationOrderAndOutliveTheirPorts() {
        var directory = directory(List.of());
        add(directory, "a", 3, null);
        add(directory, "b", 0, null);
        add(directory, "c", 3, null);
        assertEquals(OK, call(directory, r -> new DirectoryCommand.DelNetdev("a", r)));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.DelNetdev("c", r)));
        NetworkView view = view(directory);
        assertEquals(List.of(3, 0), view.hubs());
        assertEquals(List.of(new NetClientInfo("b", "hubport", true, Optional.empty(), OptionalInt.of(0), "", "ok", "local")),
                view.clients());
    }

    @Test
    void deletingAPeerLeavesTheOtherSidePeerless() {
        var directory = directory(List.of());
        add(directory, "be0", 0, null);
        add(directory, "hp3", 1, "be0");
        assertEquals(OK, call(directory, r -> new DirectoryCommand.DelNetdev("hp3", r)));
        assertEquals(Optional.empty(), view(directory).clients().getFirst().peer());
        assertEquals(failed(ErrorClass.DeviceNotFound, "Device 'hp3' not found"),
                call(directory, r -> new DirectoryCommand.DelNetdev("hp3", r)));
        assertEquals(failed(ErrorClass.DeviceNotFound, "Device 'nosuch' not found"),
                call(directory, r -> new DirectoryCommand.SetLink("nosuch", false, r)));
    }

    @Test
    void nicsFollowQemusDeviceAddRules() {
        var directory = directory(List.of());
        for (String h : List.of("h0", "h1", "h2", "h3", "h4", "h5")) {
            add(directory, h, 0, null);
        }
        assertEquals(OK, nic(directory, "virtio-net-pci", "vnic", "h0", "52:54:00:12:34:56"));
        assertEquals(OK, nic(directory, "e1000", "enic", "h1", "52:54:00:12:34:57"));
        assertEquals(OK, nic(directory, "rtl8139", "rnic", "h2", "52:54:00:12:34:58"));
        assertEquals(generic("Property 'e1000.netdev' can't take value 'h0', it's in use"),
                nic(directory, "e1000", "dupnic", "h0", "52:54:00:12:34:59"));
        assertEquals(generic("Property 'e1000.netdev' can't find value 'nosuch'"),
                nic(directory, "e1000", "missnic", "nosuch", null));
        assertEquals(generic("Property 'e1000.mac' doesn't take value 'zz:54:00:12:34:59'"),
                nic(directory, "e1000", "badmac", "h3", "zz:54:00:12:34:59"));
        assertEquals(OK, nic(directory, "e1000", "mcmac", "h3", "01:00:5e:00:00:01"));
        assertEquals(OK, nic(directory, "e1000", "busfull", "h5", null));
        assertEquals(generic("Property 'virtio-net-device.netdev' can't take value 'h3', it's in use"),
                nic(directory, "virtio-net-pci", null, "h3", null));
        assertEquals(OK, nic(directory, "virtio-net-pci", null, "h4", null));
        assertEquals(generic("Duplicate ID 'vnic' for device"), nic(directory, "e1000", "vnic", null, null));

        var byName = view(directory).clients().stream()
                .collect(Collectors.toMap(NetClientInfo::name, c -> c));
        assertEquals("model=e1000,macaddr=52:54:00:12:34:59", byName.get("busfull").info());
        assertEquals("model=virtio-net-pci,macaddr=52:54:00:12:34:5a", byName.get("virtio-net-pci.1").info());
        assertEquals(Optional.of("h4"), byName.get("virtio-net-pci.1").peer());
        assertEquals(Optional.of("virtio-net-pci.1"), byName.get("h4").peer());
    }

    @Test
    void queryRxFilterAnswersAsQemuAndListsOnlyVirtioNics() {
        var directory = directory(List.of());
        add(directory, "h0", 0, null);
        add(directory, "h1", 0, null);
        nic(directory, "virtio-net-pci", "vnic", "h0", "52:54:00:12:34:56");
        nic(directory, "e1000", "enic", "h1", null);
        var all = (DirectoryReply.RxFilters) call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.empty(), r));
        assertEquals(1, all.filters().size());
        RxFilterInfo vnic = all.filters().getFirst();
        assertEquals("vnic", vnic.name());
        assertEquals(true, vnic.promiscuous());
        assertEquals("all", vnic.vlan());
        assertEquals(4096, vnic.vlanTable().size());
        assertEquals(4095, vnic.vlanTable().getFirst());
        assertEquals(false, vnic.broadcastAllowed());
        assertEquals(generic("net client(enic) doesn't support rx-filter querying"),
                call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.of("enic"), r)));
        assertEquals(generic("net client(h0) isn't a NIC"),
                call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.of("h0"), r)));
        assertEquals(generic("invalid net client name: nosuch"),
                call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.of("nosuch"), r)));
    }

    @Test
    void rxFilterChangedIsSentOnceUntilQueried() {
        var directory = directory(List.of());
        add(directory, "h0", 0, null);
        nic(directory, "virtio-net-pci", "vnic", "h0", "52:54:00:12:34:56");
        var promiscOff = new GuestControl.SetRxFlag(RxFilter.RxFlag.PROMISC, false);
        var table = new GuestControl.SetMacTable(List.of(MacAddress.of("52:54:00:00:00:02")),
                List.of(MacAddress.of("01:00:5e:00:00:01"), MacAddress.of("33:33:00:00:00:01")));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.Guest("vnic", promiscOff, r)));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.Guest("vnic", table, r)));
        assertEquals(1, events.size(), events.toString());
        assertEquals(new NetEvent.NicRxFilterChanged(Optional.of("vnic"),
                "/machine/peripheral/vnic/virtio-backend"), events.getFirst());

        var filters = (DirectoryReply.RxFilters) call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.of("vnic"), r));
        RxFilterInfo info = filters.filters().getFirst();
        assertEquals(false, info.promiscuous());
        assertEquals(List.of("52:54:00:00:00:02"), info.unicastTable());
        assertEquals(List.of("33:33:00:00:00:01", "01:00:5e:00:00:01"), info.multicastTable());
        assertEquals(false, ports.filters.get("vnic").promiscuous(), "the data plane applies the guest's filter");

        call(directory, r -> new DirectoryCommand.Guest("vnic", new GuestControl.SetVlan(5, true), r));
        assertEquals(2, events.size(), "the query re-armed the event");
    }

    @Test
    void deletingANicsNetdevLeavesTheNicPeerlessWithItsLinkDown() {
        var directory = directory(List.of());
        add(directory, "h1", 0, null);
        nic(directory, "virtio-net-pci", "nic0", "h1", "52:54:00:00:00:01");
        assertEquals(failed(ErrorClass.DeviceNotFound, "Device 'nic0' not found"),
                call(directory, r -> new DirectoryCommand.DelNetdev("nic0", r)));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.DelNetdev("h1", r)));
        NetClientInfo nic0 = view(directory).clients().getFirst();
        assertEquals("nic0", nic0.name());
        assertEquals(Optional.empty(), nic0.peer());
        assertEquals(false, nic0.linkUp());
        assertEquals(OK, add(directory, "h1", 0, null));
        assertInstanceOf(DirectoryReply.RxFilters.class,
                call(directory, r -> new DirectoryCommand.QueryRxFilter(Optional.of("nic0"), r)), "the NIC stays queryable");
    }

    @Test
    void setLinkOnABackendAlsoSetsItsNicButNotTheReverse() {
        var directory = directory(List.of());
        add(directory, "h0", 0, null);
        nic(directory, "e1000", "enic", "h0", null);
        assertEquals(OK, call(directory, r -> new DirectoryCommand.SetLink("h0", false, r)));
        assertEquals(List.of(false, false), view(directory).clients().stream().map(NetClientInfo::linkUp).toList());
        assertEquals(OK, call(directory, r -> new DirectoryCommand.SetLink("enic", true, r)));
        assertEquals(List.of(false, true), view(directory).clients().stream().map(NetClientInfo::linkUp).toList());
    }

    @Test
    void deviceDelRemovesTheNicAndAnnouncesIt() {
        var directory = directory(List.of());
        add(directory, "h0", 0, null);
        nic(directory, "virtio-net-pci", "vnic", "h0", null);
        assertEquals(OK, call(directory, r -> new DirectoryCommand.DelNic("vnic", r)));
        assertEquals(failed(ErrorClass.DeviceNotFound, "Device 'vnic' not found"),
                call(directory, r -> new DirectoryCommand.DelNic("vnic", r)));
        assertEquals(List.of(
                new NetEvent.DeviceDeleted(Optional.empty(), "/machine/peripheral/vnic/virtio-backend"),
                new NetEvent.DeviceDeleted(Optional.of("vnic"), "/machine/peripheral/vnic")), events);
        assertEquals(Optional.empty(), view(directory).clients().getFirst().peer());
    }

    @Test
    void recoveryIndexesEveryEntityAndDropsOneSidedPeerings() {
        var first = directory(List.of());
        add(first, "x", 0, null);
        add(first, "y", 0, "x");
        call(first, r -> new DirectoryCommand.SetLink("y", false, r));
        // A crash between the two writes of a peering leaves it recorded on one side only.
        AskPattern.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(netdevEntity("x"), NetdevCommand.DetachPeer::new, TIMEOUT,
                testKit.scheduler()).toCompletableFuture().join();
        netdevs.values().forEach(testKit::stop);
        netdevs.clear();

        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "x"), new EntityCatalog.EntityId("Netdev", "y"),
                new EntityCatalog.EntityId("Netdev", "never-created")));
        NetworkView view = view(second);
        assertEquals(List.of("x", "y"), view.clients().stream().map(NetClientInfo::name).toList());
        assertEquals(false, view.clients().get(1).linkUp());
        assertEquals(Optional.empty(), view.clients().get(1).peer());
    }

    @Test
    void aSingleNodesDirectoryRecoversEveryStateInOnePassAndStartsAnEntityOnlyWhenARequestNeedsIt() {
        var first = directory(List.of());
        add(first, "x", 0, null);
        add(first, "y", 0, "x");
        call(first, r -> new DirectoryCommand.SetLink("y", false, r));
        add(first, "z", 1, null);
        var vnic = new NicRequest("virtio-net-pci", Optional.of("vnic"), Optional.of("z"), Optional.of("52:54:00:12:34:56"),
                Optional.empty(), Optional.empty(), false);
        assertEquals(OK, call(first, r -> new DirectoryCommand.AddNic(vnic, "local", false, r)));
        netdevs.values().forEach(testKit::stop);
        netdevs.clear();
        nics.values().forEach(testKit::stop);
        nics.clear();
        RecordingPorts restarted = new RecordingPorts();

        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "x"), new EntityCatalog.EntityId("Netdev", "y"),
                new EntityCatalog.EntityId("Netdev", "z"), new EntityCatalog.EntityId("Nic", "vnic")), Optional.of(restarted));
        NetworkView view = view(second);

        assertEquals(List.of("x", "y", "z", "vnic"), view.clients().stream().map(NetClientInfo::name).toList());
        assertEquals(false, view.clients().get(1).linkUp());
        assertEquals(Map.of(), netdevs, "no netdev entity started");
        assertEquals(Map.of(), nics, "no NIC entity started");
        assertEquals(true, restarted.calls.containsAll(List.of("open x", "open y", "link netdev y down",
                "connect netdev y netdev x", "activate netdev y", "open NIC vnic", "connect NIC vnic netdev z")),
                restarted.calls.toString());

        assertEquals(OK, call(second, r -> new DirectoryCommand.SetLink("z", false, r)));
        assertEquals(Set.of("z"), netdevs.keySet(), "set_link started the netdev");
        assertEquals(Set.of("vnic"), nics.keySet(), "and the NIC it silences");
    }

    @Test
    void commandLineDeclarationsAreKeptWhenEqualAndRefusedWhenTheyConflict() {
        var directory = directory(List.of());
        var h0 = new NetdevConfig.Hubport("h0", 0, Optional.empty());
        assertEquals(OK, call(directory, r -> new DirectoryCommand.AddNetdev(h0, Optional.empty(), "local", true, r)));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.AddNetdev(h0, Optional.empty(), "local", true, r)));
        var moved = new NetdevConfig.Hubport("h0", 5, Optional.empty());
        var conflict = (DirectoryReply.Failed) call(directory, r -> new DirectoryCommand.AddNetdev(moved, Optional.empty(), "local", true, r));
        assertEquals(true, conflict.error().desc().startsWith("netdev 'h0' exists in the journal with another configuration"),
                conflict.error().desc());

        var vnic = new NicRequest("virtio-net-pci", Optional.of("vnic"), Optional.of("h0"), Optional.of("52:54:00:12:34:56"),
                Optional.empty(), Optional.empty(), false);
        assertEquals(OK, call(directory, r -> new DirectoryCommand.AddNic(vnic, "local", true, r)));
        assertEquals(OK, call(directory, r -> new DirectoryCommand.AddNic(vnic, "local", true, r)));
        assertEquals(2, view(directory).clients().size());
    }

    @Test
    void concurrentRequestsOnDifferentAndSameNamesAllComplete() {
        var directory = directory(List.of());
        List<CompletableFuture<DirectoryReply>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            var config = new NetdevConfig.Hubport("n" + (i % 20), i % 3, Optional.empty());
            replies.add(AskPattern.<DirectoryCommand, DirectoryReply>ask(directory,
                    r -> new DirectoryCommand.AddNetdev(config, Optional.empty(), "local", false, r), TIMEOUT, testKit.scheduler()).toCompletableFuture());
        }
        long done = replies.stream().map(CompletableFuture::join).filter(OK::equals).count();
        assertEquals(20, done, "each name is created once; the second add of a name finds it taken");
        assertEquals(20, view(directory).clients().size());
    }

    @Test
    void aSetLinkCutOffBetweenTheNetdevAndItsNicIsCompletedAtTheNextStart() {
        aSetLinkCutOffIsCompletedAtTheNextStart(Optional.empty());
    }

    @Test
    void aSingleNodesStartCompletesASetLinkCutOffBetweenTheNetdevAndItsNic() {
        aSetLinkCutOffIsCompletedAtTheNextStart(Optional.of(new RecordingPorts()));
    }

    private void aSetLinkCutOffIsCompletedAtTheNextStart(Optional<PortControl> localPorts) {
        setLinkZCutOffAfterTheNetdevsWrite();

        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "z"), new EntityCatalog.EntityId("Nic", "vnic")),
                localPorts);
        assertEquals(Map.of("z", false, "vnic", false), links(view(second)), "the command is done on both");
        var z = AskPattern.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(netdevEntity("z"), NetdevCommand.Get::new,
                TIMEOUT, testKit.scheduler()).toCompletableFuture().join().orThrow();
        assertEquals(List.of(), ((NetdevState.Present) z.state()).linkPending(), "and recorded done");
    }

    @Test
    void aSetLinkLeftHalfDoneByAFailedWriteIsCompletedBeforeTheNextOneOnItsNic() {
        PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
        var first = directory(List.of());
        add(first, "z", 1, null);
        assertEquals(OK, nic(first, "virtio-net-pci", "vnic", "z", "52:54:00:12:34:56"));
        journal.failNextPersisted("Nic|vnic");
        assertInstanceOf(DirectoryReply.Failed.class, call(first, r -> new DirectoryCommand.SetLink("z", false, r)));
        assertEquals(Map.of("z", false, "vnic", true), links(view(first)));

        assertEquals(OK, call(first, r -> new DirectoryCommand.SetLink("vnic", true, r)));
        assertEquals(Map.of("z", false, "vnic", true), links(view(first)));
        restartEntities();
        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "z"), new EntityCatalog.EntityId("Nic", "vnic")),
                Optional.of(new RecordingPorts()));
        assertEquals(Map.of("z", false, "vnic", true), links(view(second)),
                "the start does not complete the failed command over the NIC's later link");
    }

    /** Netdev z with NIC vnic; {@code set_link z off}, the daemon killed after the netdev's write and before its NIC's. */
    private void setLinkZCutOffAfterTheNetdevsWrite() {
        var first = directory(List.of());
        add(first, "z", 1, null);
        assertEquals(OK, nic(first, "virtio-net-pci", "vnic", "z", "52:54:00:12:34:56"));
        AskPattern.<NetdevCommand, EntityReply<NetdevCommand.Done>>ask(netdevEntity("z"),
                r -> new NetdevCommand.SetLink(false, List.of(NetClientRef.nic("vnic")), r), TIMEOUT,
                testKit.scheduler()).toCompletableFuture().join();
        restartEntities();
    }

    private void restartEntities() {
        netdevs.values().forEach(testKit::stop);
        netdevs.clear();
        nics.values().forEach(testKit::stop);
        nics.clear();
    }

    private static Map<String, Boolean> links(NetworkView view) {
        return view.clients().stream().collect(Collectors.toMap(NetClientInfo::name, NetClientInfo::linkUp));
    }

    @Test
    void aHalfDoneLinkChangeNamingANicIsCompletedBeforeASetLinkOnThatNicsOwnNetdev() {
        var first = directory(List.of());
        setLinkXFailingAtItsNicX(first);

        assertEquals(OK, call(first, r -> new DirectoryCommand.SetLink("w", true, r)));
        restartEntities();
        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "x"), new EntityCatalog.EntityId("Netdev", "w"),
                new EntityCatalog.EntityId("Nic", "y"), new EntityCatalog.EntityId("Nic", "x")), Optional.of(new RecordingPorts()));
        assertEquals(true, nicLink(view(second), "x"), "set_link w on reached NIC x, and the start does not take it back");
    }

    @Test
    void deletingANicCompletesTheHalfDoneLinkChangesNamingItSoThatNoneReachesANewNicOfItsName() {
        var first = directory(List.of());
        setLinkXFailingAtItsNicX(first);
        add(first, "v", 3, null);

        assertEquals(OK, call(first, r -> new DirectoryCommand.DelNic("x", r)));
        assertEquals(OK, nic(first, "virtio-net-pci", "x", "v", "52:54:00:12:34:58"));
        restartEntities();
        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "x"), new EntityCatalog.EntityId("Netdev", "w"),
                new EntityCatalog.EntityId("Netdev", "v"), new EntityCatalog.EntityId("Nic", "y"),
                new EntityCatalog.EntityId("Nic", "x")), Optional.of(new RecordingPorts()));
        assertEquals(true, nicLink(view(second), "x"), "the new NIC x keeps the link it was created with");
    }

    /**
     * Netdev x peered with NIC y, and a NIC named x peered with netdev w (QEMU's {@code set_link x} sets
     * both NICs); {@code set_link x off} is refused because NIC x's write fails, after netdev x's.
     */
    private void setLinkXFailingAtItsNicX(ActorRef<DirectoryCommand> directory) {
        PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
        add(directory, "x", 1, null);
        add(directory, "w", 2, null);
        assertEquals(OK, nic(directory, "virtio-net-pci", "y", "x", "52:54:00:12:34:56"));
        assertEquals(OK, nic(directory, "virtio-net-pci", "x", "w", "52:54:00:12:34:57"));
        journal.failNextPersisted("Nic|x");
        assertInstanceOf(DirectoryReply.Failed.class, call(directory, r -> new DirectoryCommand.SetLink("x", false, r)));
        assertEquals(false, nicLink(view(directory), "y"));
        assertEquals(true, nicLink(view(directory), "x"));
    }

    private static boolean nicLink(NetworkView view, String nic) {
        return view.clients().stream().filter(client -> client.name().equals(nic) && client.type().equals("nic"))
                .findFirst().orElseThrow().linkUp();
    }

    @Test
    void aHalfDoneLinkChangeOnANodeThatCannotBeReachedWaitsForItAndDoesNotStopTheStart() {
        setLinkZCutOffAfterTheNetdevsWrite();

        AtomicBoolean reachable = new AtomicBoolean(false);
        var second = directory(List.of(new EntityCatalog.EntityId("Netdev", "z"), new EntityCatalog.EntityId("Nic", "vnic")),
                Optional.empty(), node -> reachable.get());
        assertEquals(Map.of("z", false, "vnic", true), links(view(second)), "served, the change left for the node");
        reachable.set(true);
        assertEquals(OK, call(second, r -> new DirectoryCommand.WakeNode("local", r)));
        assertEquals(Map.of("z", false, "vnic", false), links(view(second)), "completed when the node joins");
    }
}
