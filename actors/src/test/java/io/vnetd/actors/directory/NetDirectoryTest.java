package io.vnetd.actors.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.api.ErrorClass;
import io.vnetd.actors.api.NetClientInfo;
import io.vnetd.actors.api.NetworkView;
import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.netdev.NetdevCommand.Refused;
import io.vnetd.actors.netdev.NetdevCommand.Reply;
import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.actors.netdev.NetdevEntity;
import io.vnetd.actors.netdev.RecordingPorts;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The directory with real netdev entities on Pekko's in-memory test journal. */
class NetDirectoryTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final AtomicInteger INCARNATION = new AtomicInteger();

    private final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load()));
    private final RecordingPorts ports = new RecordingPorts();
    private final Map<String, ActorRef<NetdevCommand>> entities = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private ActorRef<NetdevCommand> entity(String name) {
        return entities.computeIfAbsent(name, n -> testKit.spawn(NetdevEntity.create(n, ports),
                "netdev-" + n + "-" + INCARNATION.incrementAndGet()));
    }

    private ActorRef<DirectoryCommand> directory(List<String> known) {
        EntityCatalog catalog = new EntityCatalog() {
            @Override
            public <T> CompletionStage<List<T>> visitAll(Function<String, CompletionStage<T>> visit) {
                List<CompletableFuture<T>> all = known.stream().map(n -> visit.apply(n).toCompletableFuture()).toList();
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                        .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
            }
        };
        return testKit.spawn(NetDirectory.create(new NetDirectory.Settings(this::entity, catalog, TIMEOUT, 1000)));
    }

    private Reply call(ActorRef<DirectoryCommand> directory, Function<ActorRef<Reply>, DirectoryCommand> request) {
        return AskPattern.<DirectoryCommand, Reply>ask(directory, request::apply, TIMEOUT, testKit.scheduler())
                .toCompletableFuture().join();
    }

    private Reply add(ActorRef<DirectoryCommand> directory, String id, int hub, String peer) {
        var config = new NetdevConfig.Hubport(id, hub, Optional.ofNullable(peer));
        return call(directory, replyTo -> new DirectoryCommand.AddNetdev(config, replyTo));
    }

    private NetworkView view(ActorRef<DirectoryCommand> directory) {
        TestProbe<NetworkView> probe = testKit.createTestProbe();
        directory.tell(new DirectoryCommand.Query(probe.getRef()));
        return probe.receiveMessage(TIMEOUT);
    }

    private static Refused refused(ErrorClass errorClass, String desc) {
        return new Refused(errorClass, desc);
    }

    @Test
    void addsFollowQemusRulesInQemusOrder() {
        var directory = directory(List.of());
        assertInstanceOf(Done.class, add(directory, "hp0", 0, null));
        assertEquals(refused(ErrorClass.GenericError, "Duplicate ID 'hp0'"), add(directory, "hp0", 1, null));
        assertEquals(refused(ErrorClass.GenericError, "netdev 'nosuch' not found"), add(directory, "hp5", 0, "nosuch"));
        assertEquals(refused(ErrorClass.GenericError, "netdev 'hp7' not found"), add(directory, "hp7", 0, "hp7"));
        assertEquals(refused(ErrorClass.GenericError, "Parameter 'id' expects an identifier"), add(directory, "1x", 0, null));
        assertInstanceOf(Done.class, add(directory, "hp6", 7, "hp0"));
        assertEquals(refused(ErrorClass.GenericError, "netdev 'hp0' is already in use"), add(directory, "hp8", 7, "hp0"));
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
        assertEquals(Done.class, call(directory, r -> new DirectoryCommand.DelNetdev("a", r)).getClass());
        assertEquals(Done.class, call(directory, r -> new DirectoryCommand.DelNetdev("c", r)).getClass());
        NetworkView view = view(directory);
        assertEquals(List.of(3, 0), view.hubs());
        assertEquals(List.of(new NetClientInfo("b", "hubport", true, Optional.empty(), OptionalInt.of(0), "", "ok")),
                view.clients());
    }

    @Test
    void deletingAPeerLeavesTheOtherSidePeerless() {
        var directory = directory(List.of());
        add(directory, "be0", 0, null);
        add(directory, "hp3", 1, "be0");
        assertInstanceOf(Done.class, call(directory, r -> new DirectoryCommand.DelNetdev("hp3", r)));
        assertEquals(Optional.empty(), view(directory).clients().getFirst().peer());
        assertEquals(refused(ErrorClass.DeviceNotFound, "Device 'hp3' not found"),
                call(directory, r -> new DirectoryCommand.DelNetdev("hp3", r)));
        assertEquals(refused(ErrorClass.DeviceNotFound, "Device 'nosuch' not found"),
                call(directory, r -> new DirectoryCommand.SetLink("nosuch", false, r)));
    }

    @Test
    void recoveryIndexesEveryEntityAndDropsOneSidedPeerings() {
        var first = directory(List.of());
        add(first, "x", 0, null);
        add(first, "y", 0, "x");
        call(first, r -> new DirectoryCommand.SetLink("y", false, r));
        // A crash between the two writes of a peering leaves it recorded on one side only.
        AskPattern.<NetdevCommand, Reply>ask(entity("x"), NetdevCommand.DetachPeer::new, TIMEOUT, testKit.scheduler())
                .toCompletableFuture().join();
        entities.values().forEach(testKit::stop);
        entities.clear();

        var second = directory(List.of("x", "y", "never-created"));
        NetworkView view = view(second);
        assertEquals(List.of("x", "y"), view.clients().stream().map(NetClientInfo::name).toList());
        assertEquals(false, view.clients().get(1).linkUp());
        assertEquals(Optional.empty(), view.clients().get(1).peer());
    }

    @Test
    void concurrentRequestsOnDifferentAndSameNamesAllComplete() {
        var directory = directory(List.of());
        List<CompletableFuture<Reply>> replies = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            var config = new NetdevConfig.Hubport("n" + (i % 20), i % 3, Optional.empty());
            replies.add(AskPattern.<DirectoryCommand, Reply>ask(directory,
                    r -> new DirectoryCommand.AddNetdev(config, r), TIMEOUT, testKit.scheduler()).toCompletableFuture());
        }
        long done = replies.stream().map(CompletableFuture::join).filter(Done.class::isInstance).count();
        assertEquals(20, done, "each name is created once; the second add of a name finds it taken");
        assertEquals(20, view(directory).clients().size());
    }
}
