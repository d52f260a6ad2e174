package io.vnetd.actors.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.NetdevCommand.Done;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.actors.persistence.IdlePassivation;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NetdevEntityTest {

    private static final ActorTestKit TESTKIT = ActorTestKit.create(
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

    private final RecordingPorts ports = new RecordingPorts();
    private EventSourcedBehaviorTestKit<NetdevCommand, NetdevEvent, NetdevState> entity;

    @BeforeEach
    void start() {
        entity = EventSourcedBehaviorTestKit.create(TESTKIT.system(),
                NetdevEntity.create("hp0", ports, IdlePassivation.never()));
    }

    @AfterAll
    static void stop() {
        TESTKIT.shutdownTestKit();
    }

    private static EntityReply<Done> refused(ErrorClass errorClass, String desc) {
        return new EntityReply.Refused<>(new NetException(errorClass, desc));
    }

    private static NetdevCommand.Create create(NetdevConfig config, org.apache.pekko.actor.typed.ActorRef<EntityReply<Done>> replyTo) {
        return new NetdevCommand.Create(config, 1, 1, replyTo);
    }

    @Test
    void createJournalsTheConfigurationAndOpensThePortFirst() {
        var hubport = new NetdevConfig.Hubport("hp0", 0, Optional.empty());
        var result = entity.<EntityReply<Done>>runCommand(replyTo -> create(hubport, replyTo));
        assertEquals(new NetdevEvent.Created(hubport, 1, 1), result.event());
        assertEquals(new Done("hp0", new NetdevState.Present(hubport, true, Optional.empty(), 1, 1), "ok", "local"), result.reply());
        assertEquals(List.of("open hp0", "activate netdev hp0"), ports.calls);
    }

    @Test
    void aNewPortIsServedOnlyOnceTheAnswerIsSent() {
        var netdev = TESTKIT.spawn(NetdevEntity.create("hp2", ports, IdlePassivation.never()));
        var answer = new CompletableFuture<CompletableFuture<EntityReply<Done>>>();
        var answeredFirst = new CompletableFuture<Boolean>();
        // The ask completes on the thread that replies, so whether it is done says whether the answer went first.
        ports.onActivate = () -> answeredFirst.complete(answer.join().isDone());
        answer.complete(AskPattern.<NetdevCommand, EntityReply<Done>>ask(netdev,
                replyTo -> create(new NetdevConfig.Hubport("hp2", 0, Optional.empty()), replyTo),
                Duration.ofSeconds(10), TESTKIT.scheduler()).toCompletableFuture());
        assertTrue(answeredFirst.join(), "the asker has the answer when the port is activated");
        assertEquals(List.of("open hp2", "activate netdev hp2"), ports.calls);
    }

    @Test
    void aResourceThatCannotBeHadRefusesTheCommandAndJournalsNothing() {
        ports.unavailable.add("hp0");
        var result = entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        assertTrue(result.hasNoEvents());
        assertEquals(refused(ErrorClass.GenericError, "can't bind ip=127.0.0.1 to socket: Address already in use"),
                result.reply());
    }

    @Test
    void setLinkIsJournaledOnlyWhenItChangesSomething() {
        entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        var down = entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        assertEquals(new NetdevEvent.LinkSet(false), down.event());
        var again = entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        assertTrue(again.hasNoEvents());
        assertInstanceOf(Done.class, again.reply());
        assertTrue(ports.calls.contains("link netdev hp0 down"));
    }

    @Test
    void aLinkChangeForOtherClientsTooIsJournaledWithThemAndClosedOnce() {
        entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        List<NetClientRef> nic = List.of(NetClientRef.nic("vnic"));
        // The netdev's own link is up already: the record of the NIC's change is still written.
        var recorded = entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.SetLink(true, nic, replyTo));
        assertEquals(new NetdevEvent.LinkSet(true, nic), recorded.event());
        assertEquals(nic, ((NetdevState.Present) recorded.state()).linkPending());
        var completed = entity.<EntityReply<Done>>runCommand(NetdevCommand.CompleteLinkSet::new);
        assertEquals(new NetdevEvent.LinkSetCompleted(), completed.event());
        assertEquals(List.of(), ((NetdevState.Present) completed.state()).linkPending());
        assertTrue(entity.<EntityReply<Done>>runCommand(NetdevCommand.CompleteLinkSet::new).hasNoEvents());
        assertTrue(ports.calls.stream().noneMatch(call -> call.startsWith("link")), "the netdev's link did not change");
        assertEquals(new NetdevState.Present(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), true, Optional.empty(), 1, 1),
                entity.restart().state());
    }

    @Test
    void commandsOnAnAbsentNetdevAnswerQemusErrors() {
        var del = entity.<EntityReply<Done>>runCommand(NetdevCommand.Delete::new);
        assertEquals(refused(ErrorClass.DeviceNotFound, "Device 'hp0' not found"), del.reply());
        var attach = entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.AttachPeer(NetClientRef.nic("x"), replyTo));
        assertEquals(refused(ErrorClass.GenericError, "netdev 'hp0' not found"), attach.reply());
    }

    @Test
    void aNetdevTakesOnePeerOnly() {
        entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.AttachPeer(NetClientRef.netdev("a"), replyTo));
        var second = entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.AttachPeer(NetClientRef.nic("b"), replyTo));
        assertTrue(second.hasNoEvents());
        assertEquals(refused(ErrorClass.GenericError, "netdev 'hp0' is already in use"), second.reply());
    }

    @Test
    void recoveryRestoresStateAndReRealizesThePort() {
        var hubport = new NetdevConfig.Hubport("hp0", 4, Optional.of("be0"));
        entity.<EntityReply<Done>>runCommand(replyTo -> create(hubport, replyTo));
        entity.<EntityReply<Done>>runCommand(replyTo -> new NetdevCommand.SetLink(false, List.of(), replyTo));
        ports.calls.clear();
        var restarted = entity.restart();
        assertEquals(new NetdevState.Present(hubport, false, Optional.of(NetClientRef.netdev("be0")), 1, 1), restarted.state());
        assertEquals(List.of("open hp0", "link netdev hp0 down", "connect netdev hp0 netdev be0", "activate netdev hp0"),
                ports.calls);
    }

    @Test
    void aResourceLostAcrossARestartIsRetriedUntilItComesBack() throws InterruptedException {
        var hubport = new NetdevConfig.Hubport("hp0", 0, Optional.empty());
        entity.<EntityReply<Done>>runCommand(replyTo -> create(hubport, replyTo));
        ports.unavailable.add("hp0");
        var restarted = entity.restart();
        var listed = (Done) entity.<EntityReply<Done>>runCommand(NetdevCommand.Get::new).reply();
        assertEquals("can't bind ip=127.0.0.1 to socket: Address already in use", listed.status(),
                "the netdev stays configured and says why it has no port");
        ports.calls.clear();
        ports.unavailable.clear();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!ports.calls.contains("open hp0") && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals("ok", ((Done) entity.<EntityReply<Done>>runCommand(NetdevCommand.Get::new).reply()).status());
        assertInstanceOf(NetdevState.Present.class, restarted.state());
    }

    @Test
    void deleteReleasesThePortAndTheNameCanBeCreatedAgain() {
        var hubport = new NetdevConfig.Hubport("hp0", 0, Optional.empty());
        entity.<EntityReply<Done>>runCommand(replyTo -> create(hubport, replyTo));
        var deleted = entity.<EntityReply<Done>>runCommand(NetdevCommand.Delete::new);
        assertEquals(new NetdevEvent.Deleted(), deleted.event());
        assertTrue(ports.calls.contains("close netdev hp0"));
        var again = entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 9, Optional.empty()), replyTo));
        assertInstanceOf(NetdevEvent.Created.class, again.event());
    }

    @Test
    void aCommandWhoseJournalWriteFailsIsRefusedWithTheJournalsErrorAndKeepsNothing() {
        entity.persistenceTestKit().failNextPersisted(new IllegalStateException("journal full: LMDB map size 1 MiB exhausted"));
        var failed = entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        assertEquals(refused(ErrorClass.GenericError,
                "vnetd could not journal the change: journal full: LMDB map size 1 MiB exhausted"), failed.reply());
        assertEquals(List.of("open hp0", "close netdev hp0"), ports.calls,
                "the port opened for the attempt is released, never served");
        var again = entity.<EntityReply<Done>>runCommand(replyTo -> create(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), replyTo));
        assertInstanceOf(Done.class, again.reply(), "the entity takes commands again once the journal does");
    }

    @Test
    void aCommandWhoseEventTheJournalRejectsIsRefusedToo() {
        // Pekko stops an entity whose event is rejected (sharding starts it again on its next command).
        var netdev = TESTKIT.spawn(NetdevEntity.create("hp1", ports, IdlePassivation.never()));
        TestProbe<EntityReply<Done>> probe = TESTKIT.createTestProbe();
        netdev.tell(create(new NetdevConfig.Hubport("hp1", 0, Optional.empty()), probe.getRef()));
        probe.expectMessageClass(Done.class);
        PersistenceTestKit.create(TESTKIT.system()).rejectNextPersisted(new IllegalArgumentException("event too large"));
        netdev.tell(new NetdevCommand.SetLink(false, List.of(), probe.getRef()));
        assertEquals(refused(ErrorClass.GenericError, "vnetd could not journal the change: event too large"),
                probe.receiveMessage());
        probe.expectTerminated(netdev);
        var again = TESTKIT.spawn(NetdevEntity.create("hp1", ports, IdlePassivation.never()));
        again.tell(new NetdevCommand.Get(probe.getRef()));
        var state = (NetdevState.Present) probe.expectMessageClass(Done.class).state();
        assertTrue(state.linkUp(), "the link stays as it was");
    }

    @Test
    void anIdleEntityIsUnlistedThenAsksToLeaveMemoryAndKeepsItsPort() {
        TestProbe<org.apache.pekko.actor.typed.ActorRef<NetdevCommand>> unlisted = TESTKIT.createTestProbe();
        TestProbe<org.apache.pekko.actor.typed.ActorRef<NetdevCommand>> passivated = TESTKIT.createTestProbe();
        var netdev = TESTKIT.spawn(NetdevEntity.create("hp4", ports,
                new IdlePassivation<>(Duration.ofMillis(300), unlisted.getRef()::tell, passivated.getRef()::tell)));
        TestProbe<EntityReply<Done>> probe = TESTKIT.createTestProbe();
        netdev.tell(create(new NetdevConfig.Hubport("hp4", 0, Optional.empty()), probe.getRef()));
        probe.expectMessageClass(Done.class);
        // Each message restarts the clock.
        for (int i = 0; i < 4; i++) {
            unlisted.expectNoMessage(Duration.ofMillis(150));
            netdev.tell(new NetdevCommand.Get(probe.getRef()));
            probe.expectMessageClass(Done.class);
        }

        assertEquals(netdev, unlisted.receiveMessage(Duration.ofSeconds(5)));
        // A message found the ref just before: it is served during the grace, before the entity asks to go.
        netdev.tell(new NetdevCommand.Get(probe.getRef()));
        probe.expectMessageClass(Done.class);
        passivated.expectNoMessage(IdlePassivation.GRACE.dividedBy(2));
        assertEquals(netdev, passivated.receiveMessage(Duration.ofSeconds(5)));
        TESTKIT.stop(netdev);
        assertTrue(ports.calls.stream().noneMatch(call -> call.startsWith("close")), ports.calls.toString());
    }

    @Test
    void anEntityRetryingItsResourceStaysInMemory() {
        var first = TESTKIT.spawn(NetdevEntity.create("hp5", ports, IdlePassivation.never()));
        TestProbe<EntityReply<Done>> probe = TESTKIT.createTestProbe();
        first.tell(create(new NetdevConfig.Hubport("hp5", 0, Optional.empty()), probe.getRef()));
        probe.expectMessageClass(Done.class);
        TESTKIT.stop(first);
        ports.unavailable.add("hp5");

        TestProbe<org.apache.pekko.actor.typed.ActorRef<NetdevCommand>> unlisted = TESTKIT.createTestProbe();
        var again = TESTKIT.spawn(NetdevEntity.create("hp5", ports,
                new IdlePassivation<>(Duration.ofMillis(100), unlisted.getRef()::tell, self -> {
                })));
        again.tell(new NetdevCommand.Get(probe.getRef()));
        probe.expectMessageClass(Done.class);

        unlisted.expectNoMessage(Duration.ofMillis(800));
        ports.unavailable.remove("hp5");
        assertEquals(again, unlisted.receiveMessage(Duration.ofSeconds(10)), "once the resource is back it may leave");
    }
}
