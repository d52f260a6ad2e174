package io.vnetd.ops.journal;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr$;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SaveSnapshotFailure;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.OptionConverters;

/**
 * Copies every entity of an LMDB journal into a PostgreSQL one, through the plugins on both sides (so the target holds
 * exactly the rows a node would have written): each entity's events in order, then its latest snapshot. Entities
 * recover from the latest snapshot and the events after it, so older snapshots are not copied.
 */
final class JournalCopy {

    /** What one copy moved. */
    record Copied(int entities, long events, long snapshots) {}

    private static final int EVENTS_PER_WRITE = 256;
    private static final Duration TIMEOUT = Duration.ofMinutes(1);
    private static final String WRITER = "vnetd-journal-copy";

    private final JournalReader source;
    private final ActorRef targetJournal;
    private final ActorRef sourceSnapshots;
    private final ActorRef targetSnapshots;

    /** {@code source} is an LMDB journal opened with the target's plugin settings as well. */
    JournalCopy(JournalReader source, String sourceSnapshotPlugin) {
        this.source = source;
        // The plugins' own actors, as a persistent actor reaches them: rows are written in the plugin's format.
        Persistence persistence = Persistence.get(Adapter.toClassic(source.system()));
        this.targetJournal = persistence.journalFor(PostgresJournal.JOURNAL_PLUGIN, ConfigFactory.empty());
        this.sourceSnapshots = persistence.snapshotStoreFor(sourceSnapshotPlugin, ConfigFactory.empty());
        this.targetSnapshots = persistence.snapshotStoreFor(PostgresJournal.SNAPSHOT_PLUGIN, ConfigFactory.empty());
    }

    Copied run() {
        int entities = 0;
        long events = 0;
        long snapshots = 0;
        for (String persistenceId : source.persistenceIds()) {
            entities++;
            List<JournalEvent> entityEvents = source.events(persistenceId);
            for (int from = 0; from < entityEvents.size(); from += EVENTS_PER_WRITE) {
                write(entityEvents.subList(from, Math.min(entityEvents.size(), from + EVENTS_PER_WRITE)));
            }
            events += entityEvents.size();
            Optional<SelectedSnapshot> snapshot = latestSnapshot(persistenceId);
            if (snapshot.isPresent()) {
                save(snapshot.get());
                snapshots++;
            }
        }
        return new Copied(entities, events, snapshots);
    }

    private void write(List<JournalEvent> events) {
        List<PersistentRepr> reprs = new ArrayList<>(events.size());
        for (JournalEvent event : events) {
            reprs.add(PersistentRepr$.MODULE$.apply(event.event(), event.sequenceNr(), event.persistenceId(),
                    "", false, ActorRef.noSender(), WRITER).withTimestamp(event.timestamp()));
        }
        AtomicWrite write = new AtomicWrite(CollectionConverters.asScala(reprs).toList());
        Object reply = JournalReader.await(Patterns.askWithReplyTo(targetJournal,
                replyTo -> new JournalProtocol.WriteMessages(CollectionConverters.asScala(List.<PersistentEnvelope>of(write)).toList(),
                        replyTo, 1), TIMEOUT));
        if (reply instanceof JournalProtocol.WriteMessagesFailed failed) {
            throw new IllegalStateException("writing " + events.getFirst().persistenceId() + " failed: "
                    + failed.cause().getMessage(), failed.cause());
        }
    }

    private Optional<SelectedSnapshot> latestSnapshot(String persistenceId) {
        Object reply = JournalReader.await(Patterns.ask(sourceSnapshots,
                new SnapshotProtocol.LoadSnapshot(persistenceId, SnapshotSelectionCriteria.latest(), Long.MAX_VALUE),
                TIMEOUT));
        return switch (reply) {
            case SnapshotProtocol.LoadSnapshotResult result -> OptionConverters.toJava(result.snapshot());
            case SnapshotProtocol.LoadSnapshotFailed failed -> throw new IllegalStateException(
                    "reading the snapshot of " + persistenceId + " failed: " + failed.cause().getMessage(), failed.cause());
            default -> throw new IllegalStateException("unexpected answer of the snapshot store: " + reply);
        };
    }

    private void save(SelectedSnapshot snapshot) {
        Object reply = JournalReader.await(Patterns.ask(targetSnapshots,
                new SnapshotProtocol.SaveSnapshot(snapshot.metadata(), snapshot.snapshot()), TIMEOUT));
        if (reply instanceof SaveSnapshotFailure failure) {
            throw new IllegalStateException("writing the snapshot of " + snapshot.metadata().persistenceId() + " failed: "
                    + failure.cause().getMessage(), failure.cause());
        }
    }
}
