package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.OptionConverters;

/** Talks to the journal and snapshot store actors in their own protocol, as a persistent actor would. */
public final class JournalClient {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ActorRef journal;
    private final ActorRef snapshots;
    private final TestProbe<Object> probe;
    private final ActorRef self;

    /** The response to a WriteMessages: the outcome of the batch, then one response per event. */
    public record Written(Object outcome, List<Object> perEvent) {}

    /** The events replayed, and the highest sequence number, or why the replay failed. */
    public record Replayed(List<PersistentRepr> events, long highest, Throwable failure) {
        public List<Object> payloads() {
            return events.stream().map(PersistentRepr::payload).toList();
        }

        public List<Long> sequenceNrs() {
            return events.stream().map(PersistentRepr::sequenceNr).toList();
        }
    }

    public JournalClient(ActorTestKit kit) {
        Persistence persistence = Persistence.get(Adapter.toClassic(kit.system()));
        journal = persistence.journalFor(TestSupport.JOURNAL, ConfigFactory.empty());
        snapshots = persistence.snapshotStoreFor(TestSupport.SNAPSHOTS, ConfigFactory.empty());
        probe = kit.createTestProbe();
        self = Adapter.toClassic(probe.ref());
    }

    /** One AtomicWrite of {@code payloads} as sequence numbers {@code from}, {@code from + 1}, ... */
    public static AtomicWrite atomic(String persistenceId, long from, Object... payloads) {
        List<PersistentRepr> events = new ArrayList<>();
        for (int i = 0; i < payloads.length; i++) {
            events.add(PersistentRepr.apply(payloads[i], from + i, persistenceId, "", false, ActorRef.noSender(), "writer"));
        }
        return new AtomicWrite(CollectionConverters.asScala(events).toList());
    }

    public Written write(AtomicWrite... writes) {
        List<PersistentEnvelope> envelopes = List.of(writes);
        journal.tell(new JournalProtocol.WriteMessages(CollectionConverters.asScala(envelopes).toList(), self, 1),
                ActorRef.noSender());
        Object outcome = probe.receiveMessage(TIMEOUT);
        int events = envelopes.stream().mapToInt(w -> ((AtomicWrite) w).size()).sum();
        return new Written(outcome, probe.receiveSeveralMessages(events, TIMEOUT));
    }

    /** Writes {@code payloads} from sequence number {@code from} and checks they were all written. */
    public void writeOk(String persistenceId, long from, Object... payloads) {
        Written written = write(atomic(persistenceId, from, payloads));
        assertInstanceOf(JournalProtocol.WriteMessagesSuccessful$.class, written.outcome());
        written.perEvent().forEach(r -> assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, r));
    }

    public Replayed replay(String persistenceId, long from, long to, long max) {
        journal.tell(new JournalProtocol.ReplayMessages(from, to, max, persistenceId, self), ActorRef.noSender());
        List<PersistentRepr> events = new ArrayList<>();
        while (true) {
            switch (probe.receiveMessage(TIMEOUT)) {
                case JournalProtocol.ReplayedMessage m -> events.add(m.persistent());
                case JournalProtocol.RecoverySuccess s -> {
                    return new Replayed(events, s.highestSequenceNr(), null);
                }
                case JournalProtocol.ReplayMessagesFailure f -> {
                    return new Replayed(events, -1, f.cause());
                }
                case Object other -> throw new AssertionError("unexpected " + other);
            }
        }
    }

    public Replayed replayAll(String persistenceId) {
        return replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public void delete(String persistenceId, long toSequenceNr) {
        journal.tell(new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, self), ActorRef.noSender());
        assertEquals(new DeleteMessagesSuccess(toSequenceNr), probe.receiveMessage(TIMEOUT));
    }

    /** Saves a snapshot; returns the timestamp the snapshot store gave it. */
    public long saveSnapshot(String persistenceId, long sequenceNr, Object snapshot) {
        SnapshotMetadata metadata = new SnapshotMetadata(persistenceId, sequenceNr, 0);
        snapshots.tell(new SnapshotProtocol.SaveSnapshot(metadata, snapshot), self);
        return assertInstanceOf(SaveSnapshotSuccess.class, probe.receiveMessage(TIMEOUT)).metadata().timestamp();
    }

    public Optional<SelectedSnapshot> loadSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        snapshots.tell(new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, Long.MAX_VALUE), self);
        return switch (probe.receiveMessage(TIMEOUT)) {
            case SnapshotProtocol.LoadSnapshotResult r -> OptionConverters.toJava(r.snapshot());
            case SnapshotProtocol.LoadSnapshotFailed f -> throw new AssertionError("load failed", f.cause());
            case Object other -> throw new AssertionError("unexpected " + other);
        };
    }

    /** The sequence number of the youngest snapshot matching, or 0. */
    public long youngestSnapshot(String persistenceId, SnapshotSelectionCriteria criteria) {
        return loadSnapshot(persistenceId, criteria).map(s -> s.metadata().sequenceNr()).orElse(0L);
    }

    public void deleteSnapshot(String persistenceId, long sequenceNr) {
        snapshots.tell(new SnapshotProtocol.DeleteSnapshot(new SnapshotMetadata(persistenceId, sequenceNr, 0)), self);
        assertInstanceOf(DeleteSnapshotSuccess.class, probe.receiveMessage(TIMEOUT));
    }

    public void deleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria) {
        snapshots.tell(new SnapshotProtocol.DeleteSnapshots(persistenceId, criteria), self);
        assertInstanceOf(DeleteSnapshotsSuccess.class, probe.receiveMessage(TIMEOUT));
    }

    public static Object[] payloads(String prefix, long from, long to) {
        return LongStream.rangeClosed(from, to).mapToObj(i -> prefix + i).toArray();
    }
}
