package io.vnetd.actors.announce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.netdev.RecordingPorts;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.MacAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnnounceTimerEntityTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final List<AnnounceTarget> NICS = List.of(
            new AnnounceTarget("vnic", MacAddress.of("52:54:00:12:34:56"), "local"),
            new AnnounceTarget("enic", MacAddress.of("52:54:00:12:34:57"), "local"));

    private final ActorTestKit testKit = ActorTestKit.create(PersistenceTestKitPlugin.getInstance().config()
            .withFallback(PersistenceTestKitSnapshotPlugin.config())
            .withFallback(ConfigFactory.load()));
    private final RecordingPorts ports = new RecordingPorts();
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(now.get());
        }
    };

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private ActorRef<AnnounceCommand> timer(String name) {
        return testKit.spawn(AnnounceTimerEntity.create("=t", (target, frame) -> ports.inject(target.nic(), frame), () -> CompletableFuture.completedFuture(NICS), clock), name);
    }

    private AnnounceState start(ActorRef<AnnounceCommand> timer, AnnounceParameters params) {
        TestProbe<EntityReply<AnnounceCommand.Started>> probe = testKit.createTestProbe();
        timer.tell(new AnnounceCommand.Start(params, probe.getRef()));
        return assertInstanceOf(AnnounceCommand.Started.class, probe.receiveMessage(TIMEOUT)).state();
    }

    private static AnnounceParameters params(long initial, long max, long rounds, long step, List<String> interfaces) {
        return new AnnounceParameters(initial, max, rounds, step, Optional.ofNullable(interfaces), Optional.of("t"));
    }

    private void awaitInjected(int count) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (ports.injected.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(count, ports.injected.size(), ports.injected.toString());
    }

    @Test
    void theScheduleIsQemus() {
        AnnounceParameters p = params(50, 550, 5, 100, null);
        assertEquals(List.of(50L, 150L, 250L, 350L), List.of(p.delayBefore(4), p.delayBefore(3), p.delayBefore(2), p.delayBefore(1)));
        AnnounceParameters capped = params(100, 150, 3, 200, null);
        assertEquals(List.of(100L, 150L), List.of(capped.delayBefore(2), capped.delayBefore(1)));
        AnnounceParameters huge = params(Long.MAX_VALUE, Long.MAX_VALUE, 3, Long.MAX_VALUE, null);
        assertEquals(Long.MAX_VALUE, huge.delayBefore(1), "overflow saturates at max");
    }

    @Test
    void everyRoundAnnouncesEverySelectedNic() throws InterruptedException {
        var timer = timer("all-at-once");
        start(timer, params(0, 0, 3, 0, List.of("vnic", "h0")));
        awaitInjected(3);
        assertEquals(List.of("vnic", "vnic", "vnic"), ports.injected);
    }

    @Test
    void aRestartedTimerSendsTheOverdueRoundAtOnceAndKeepsTheRest() throws InterruptedException {
        var timer = timer("first");
        start(timer, params(60_000, 60_000, 3, 0, null));
        awaitInjected(2);
        testKit.stop(timer);
        now.addAndGet(120_000);
        var restarted = timer("second");
        awaitInjected(4);
        TestProbe<EntityReply<AnnounceCommand.Started>> probe = testKit.createTestProbe();
        restarted.tell(new AnnounceCommand.Wake(probe.getRef()));
        var state = assertInstanceOf(AnnounceState.Running.class, assertInstanceOf(AnnounceCommand.Started.class, probe.receiveMessage(TIMEOUT)).state());
        assertEquals(1, state.remaining());
    }

    @Test
    void zeroRoundsCancelsAndTheSameIdReplaces() {
        var timer = timer("cancel");
        assertInstanceOf(AnnounceState.Running.class, start(timer, params(60_000, 60_000, 5, 0, null)));
        assertInstanceOf(AnnounceState.Running.class, start(timer, params(60_000, 60_000, 2, 0, null)));
        var cancelled = start(timer, params(0, 0, 0, 0, null));
        assertEquals(new AnnounceState.Idle(2), cancelled);
    }

    @Test
    void aStartTheJournalCannotStoreIsRefusedWithItsErrorAndAnnouncesNothing() throws InterruptedException {
        var timer = timer("journal-failure");
        PersistenceTestKit.create(testKit.system())
                .failNextPersisted(new IllegalStateException("journal full: LMDB map size 1 MiB exhausted"));
        TestProbe<EntityReply<AnnounceCommand.Started>> probe = testKit.createTestProbe();
        timer.tell(new AnnounceCommand.Start(params(0, 0, 3, 0, null), probe.getRef()));
        assertEquals(new EntityReply.Refused<>(NetException.generic(
                "vnetd could not journal the change: journal full: LMDB map size 1 MiB exhausted")), probe.receiveMessage(TIMEOUT));
        Thread.sleep(200); // round 1 would have gone at once
        assertEquals(List.of(), ports.injected);
    }

    @Test
    void theFrameIsQemusRarpReverseRequest() {
        byte[] frame = RarpFrame.of(MacAddress.of("52:54:00:12:34:56"));
        assertEquals("ffffffffffff5254001234568035000108000604000352540012345600000000525400123456000000000000"
                + "00000000000000000000000000000000", HexFormat.of().formatHex(frame));
    }
}
