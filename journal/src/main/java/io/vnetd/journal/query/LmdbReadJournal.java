package io.vnetd.journal.query;

import com.typesafe.config.Config;
import io.vnetd.journal.LmdbSettings;
import io.vnetd.journal.LmdbStore;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.EventAdapters;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Source;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Java API read journal on the LMDB store:
 * {@code PersistenceQuery.get(system).getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier)}.
 * Queries are finite ("current"): they see what was committed when each page was read. Streams read a page per read
 * transaction and hold none between pages, so a slow consumer does not pin old LMDB pages. Events pass through the
 * event adapters of the journal plugin named by {@code write-plugin}, as on replay.
 */
public final class LmdbReadJournal implements ReadJournal, CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery {

    /** The plugin id of this read journal. */
    public static final String Identifier = "vnetd.query.lmdb";

    private static final long DONE = 0; // sequence numbers start at 1

    private final LmdbStore store;
    private final PersistentCodec codec;
    private final EventAdapters adapters;
    private final int pageSize;

    LmdbReadJournal(ExtendedActorSystem system, Config config) {
        pageSize = config.getInt("page-size");
        // starts that journal if it is not running yet; it shares the store
        adapters = Persistence.get(system).adaptersFor(config.getString("write-plugin"));
        codec = new PersistentCodec(SerializationExtension.get(system));
        store = LmdbStore.acquire(LmdbSettings.from(system.settings().config(), config.getString("store")));
        system.registerOnTermination(store::close);
    }

    /** Every persistence id that has ever been written, in UTF-8 byte order. */
    @Override
    public Source<String, NotUsed> currentPersistenceIds() {
        return Source.<String, List<String>>unfoldAsync("", after -> store.read(() -> {
            List<String> page = store.persistenceIds(after, pageSize);
            return page.isEmpty() ? Optional.empty() : Optional.of(Pair.create(page.getLast(), page));
        })).mapConcat(page -> page);
    }

    /** The events of {@code fromSequenceNr..toSequenceNr} (inclusive) that exist now; offsets are sequence numbers. */
    @Override
    public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(String persistenceId, long fromSequenceNr,
            long toSequenceNr) {
        return Source.<Long, List<EventEnvelope>>unfoldAsync(Math.max(fromSequenceNr, 1), next ->
                next == DONE || next > toSequenceNr
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : store.read(() -> {
                            List<StoredEvent> page = store.events(persistenceId, next, toSequenceNr, pageSize);
                            if (page.isEmpty()) {
                                return Optional.empty();
                            }
                            long last = page.getLast().sequenceNr();
                            long after = page.size() < pageSize || last == toSequenceNr ? DONE : last + 1;
                            return Optional.of(Pair.create(after, envelopes(page)));
                        }))
                .mapConcat(page -> page);
    }

    private List<EventEnvelope> envelopes(List<StoredEvent> page) {
        List<EventEnvelope> envelopes = new ArrayList<>(page.size());
        for (StoredEvent stored : page) {
            PersistentRepr repr = codec.decode(stored);
            Object payload = repr.payload();
            for (Object event : CollectionConverters.asJava(
                    adapters.get(payload.getClass()).fromJournal(payload, repr.manifest()).events())) {
                envelopes.add(new EventEnvelope(Offset.sequence(repr.sequenceNr()), repr.persistenceId(),
                        repr.sequenceNr(), event, repr.timestamp(), repr.metadata()));
            }
        }
        return envelopes;
    }
}
