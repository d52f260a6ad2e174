package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plugins under a typed EventSourcedBehavior, the way the daemon's entities use them. */
class EventSourcedEntityTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private ActorTestKit kit;
    private TestProbe<Throwable> recoveryFailures;

    private void start() {
        stop();
        kit = TestSupport.system(dir, "");
        recoveryFailures = kit.createTestProbe();
    }

    @AfterEach
    void stop() {
        if (kit != null) {
            kit.shutdownTestKit();
            kit = null;
        }
    }

    private ActorRef<Recorder.Command> spawn(String persistenceId, int snapshotEvery) {
        return kit.spawn(new Recorder(persistenceId, snapshotEvery, recoveryFailures.ref()));
    }

    private void add(ActorRef<Recorder.Command> entity, String... events) {
        TestProbe<Done> acks = kit.createTestProbe();
        for (String e : events) {
            entity.tell(new Recorder.Add(e, acks.ref()));
        }
        acks.receiveSeveralMessages(events.length, LONG);
    }

    private String state(ActorRef<Recorder.Command> entity) {
        TestProbe<String> probe = kit.createTestProbe();
        entity.tell(new Recorder.Get(probe.ref()));
        return probe.receiveMessage(LONG);
    }

    private static String[] events(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "e" + i).toArray(String[]::new);
    }

    private static String joined(int from, int to) {
        return String.join(",", events(from, to));
    }

    @Test
    void anEntityRecoversItsStateInANewActorSystem() {
        start();
        add(spawn("Netdev|h0", 0), "up", "down", "up");

        start();
        assertEquals("up,down,up", state(spawn("Netdev|h0", 0)));
        assertEquals("", state(spawn("Netdev|h1", 0)));
    }

    @Test
    void anEntityRecoversFromItsLatestSnapshotAndOlderOnesAreDeleted() {
        start();
        add(spawn("Nic|n0", 5), events(1, 12));
        JournalClient client = new JournalClient(kit);
        assertEquals(10, client.youngestSnapshot("Nic|n0", SnapshotSelectionCriteria.latest()));

        start();
        ActorRef<Recorder.Command> entity = spawn("Nic|n0", 5);
        assertEquals(joined(1, 12), state(entity));
        add(entity, events(13, 20));

        JournalClient after = new JournalClient(kit);
        assertEquals(joined(1, 20),
                after.loadSnapshot("Nic|n0", SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
        // keeping two snapshots (15 and 20) deletes 5 and 10, after the save
        kit.createTestProbe().awaitAssert(LONG, () -> {
            assertEquals(0, after.youngestSnapshot("Nic|n0", new SnapshotSelectionCriteria(14, Long.MAX_VALUE, 0, 0)));
            return null;
        });
        start();
        assertEquals(joined(1, 20), state(spawn("Nic|n0", 5)));
    }

    @Test
    void manyConcurrentEntitiesAreAllAcknowledgedGroupCommittedAndReplayed() {
        int entities = 100;
        int eventsEach = 20;
        start();
        List<ActorRef<Recorder.Command>> refs = new ArrayList<>();
        for (int i = 0; i < entities; i++) {
            refs.add(spawn("Nic|n" + i, 0));
        }
        TestProbe<Done> acks = kit.createTestProbe();
        for (String e : events(1, eventsEach)) {
            refs.forEach(ref -> ref.tell(new Recorder.Add(e, acks.ref())));
        }
        acks.receiveSeveralMessages(entities * eventsEach, LONG);

        try (LmdbStore store = LmdbStore.acquire(LmdbSettings.from(kit.system().settings().config(), "vnetd.lmdb"))) {
            LmdbStore.Counters counters = store.counters();
            assertEquals(entities * eventsEach, counters.events());
            assertTrue(counters.commits() < counters.events(), "commits " + counters.commits());
        }

        start();
        String expected = joined(1, eventsEach);
        List<String> states = IntStream.range(0, entities).mapToObj(i -> state(spawn("Nic|n" + i, 0)))
                .collect(Collectors.toList());
        assertTrue(states.stream().allMatch(expected::equals), states.toString());
    }

    @Test
    void aCorruptRecordStopsRecoveryWithAMessageNamingIt() {
        start();
        add(spawn("Netdev|h0", 0), "a", "b", "c");
        stop();
        TestSupport.corruptRecord(dir, 3);

        start();
        spawn("Netdev|h0", 0);
        Throwable failure = recoveryFailures.receiveMessage(LONG);
        List<String> messages = new ArrayList<>();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            messages.add(t.getMessage());
        }
        assertTrue(messages.contains("journal corrupt: record Netdev|h0 #3 failed its checksum"), messages.toString());
    }
}
