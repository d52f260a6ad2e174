package io.vnetd.journal.query;

import com.typesafe.config.Config;
import io.vnetd.journal.LmdbSettings;
import io.vnetd.journal.LmdbStore;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.EventAdapters;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.NoOffset;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentLastSequenceNumberByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.query.typed.javadsl.CurrentEventsBySliceQuery;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.javadsl.Source;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Java API read journal on the LMDB store:
 * {@code PersistenceQuery.get(system).getReadJournalFor(LmdbReadJournal.class, LmdbReadJournal.Identifier)}.
 * Queries are finite ("current"): they see what was committed when each page was read. Streams read a page per read
 * transaction and hold none between pages, so a slow consumer does not pin old LMDB pages. Events pass through the
 * event adapters of the journal plugin named by {@code write-plugin}, as on replay.
 */
public final class LmdbReadJournal implements ReadJournal, CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery,
        CurrentLastSequenceNumberByPersistenceIdQuery, CurrentEventsBySliceQuery {

    /** The plugin id of this read journal. */
    public static final String Identifier = "vnetd.query.lmdb";

    private static final long DONE = 0; // sequence numbers start at 1
    /** Between the entity type and the entity id in a persistence id (Pekko Typed's {@code PersistenceId}). */
    private static final String TYPE_SEPARATOR = "|";
    /** Where a scan of persistence ids ends: no id is empty. */
    private static final String END = "";

    private final Persistence persistence;
    private final LmdbStore store;
    private final PersistentCodec codec;
    private final EventAdapters adapters;
    private final int pageSize;
    private final Queue<LastSequenceNr> lookUps = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean lookingUp = new AtomicBoolean();

    /** A look-up of a persistence id's highest sequence number, waiting to be read with others. */
    private record LastSequenceNr(String persistenceId, CompletableFuture<Optional<Long>> answer) {
    }

    LmdbReadJournal(ExtendedActorSystem system, Config config) {
        pageSize = config.getInt("page-size");
        // starts that journal if it is not running yet; it shares the store
        persistence = Persistence.get(system);
        adapters = persistence.adaptersFor(config.getString("write-plugin"));
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

    /**
     * The highest sequence number written for the id (LMDB's and the write-ahead log's), empty if none. Look-ups that
     * arrive while others are read are read together next, in one job and transaction (up to {@code page-size}): a
     * start asks for every entity's.
     */
    @Override
    public CompletionStage<Optional<Long>> currentLastSequenceNumberByPersistenceId(String persistenceId) {
        LastSequenceNr lookUp = new LastSequenceNr(persistenceId, new CompletableFuture<>());
        lookUps.add(lookUp);
        lookUpWaiting();
        return lookUp.answer();
    }

    /** Reads the look-ups waiting, unless a group is being read: its completion calls this again. */
    private void lookUpWaiting() {
        if (lookUps.isEmpty() || !lookingUp.compareAndSet(false, true)) {
            return;
        }
        List<LastSequenceNr> group = new ArrayList<>();
        for (LastSequenceNr next; group.size() < pageSize && (next = lookUps.poll()) != null; ) {
            group.add(next);
        }
        store.read(() -> store.highestSequenceNrs(group.stream().map(LastSequenceNr::persistenceId).toList()))
                .whenComplete((highest, failure) -> {
                    lookingUp.set(false);
                    for (int i = 0; i < group.size(); i++) {
                        if (failure != null) {
                            group.get(i).answer().completeExceptionally(failure);
                        } else {
                            group.get(i).answer().complete(highest[i] == DONE ? Optional.empty() : Optional.of(highest[i]));
                        }
                    }
                    lookUpWaiting();
                });
    }

    /**
     * Every event of every entity of {@code entityType} whose slice is within {@code minSlice..maxSlice}, entity
     * after entity (in persistence id order), each entity's events oldest first: how a node reads the state of all
     * its entities at once. Only {@link NoOffset} is supported: the query reads everything that exists now. A page
     * holds the events of up to {@code page-size} entities and is read in one job.
     *
     * @throws IllegalArgumentException for an offset other than {@link NoOffset}
     */
    @Override
    public <Event> Source<org.apache.pekko.persistence.query.typed.EventEnvelope<Event>, NotUsed> currentEventsBySlices(
            String entityType, int minSlice, int maxSlice, Offset offset) {
        if (!offset.equals(NoOffset.getInstance())) {
            throw new IllegalArgumentException("currentEventsBySlices reads from the start only (NoOffset), not from "
                    + offset);
        }
        String prefix = entityType + TYPE_SEPARATOR;
        // Every id of the type sorts after the bare prefix (no id is empty) and before any id of another type.
        return Source.<String, List<org.apache.pekko.persistence.query.typed.EventEnvelope<Event>>>unfoldAsync(prefix,
                        after -> after.equals(END) ? CompletableFuture.completedFuture(Optional.empty()) : store.read(() -> {
                            List<String> ids = store.persistenceIds(after, pageSize);
                            List<org.apache.pekko.persistence.query.typed.EventEnvelope<Event>> page = new ArrayList<>();
                            String next = ids.size() < pageSize ? END : ids.getLast();
                            for (String id : ids) {
                                if (!id.startsWith(prefix)) {
                                    next = END;
                                    break;
                                }
                                int slice = persistence.sliceForPersistenceId(id);
                                if (slice >= minSlice && slice <= maxSlice) {
                                    addEvents(page, entityType, slice, store.events(id, 1, Long.MAX_VALUE, Integer.MAX_VALUE));
                                }
                            }
                            return ids.isEmpty() ? Optional.empty() : Optional.of(Pair.create(next, page));
                        }))
                .mapConcat(page -> page);
    }

    @SuppressWarnings("unchecked")
    private <Event> void addEvents(List<org.apache.pekko.persistence.query.typed.EventEnvelope<Event>> envelopes,
                                   String entityType, int slice, List<StoredEvent> events) {
        for (StoredEvent stored : events) {
            PersistentRepr repr = codec.decode(stored);
            Object payload = repr.payload();
            for (Object event : CollectionConverters.asJava(
                    adapters.get(payload.getClass()).fromJournal(payload, repr.manifest()).events())) {
                envelopes.add(new org.apache.pekko.persistence.query.typed.EventEnvelope<>(
                        Offset.sequence(repr.sequenceNr()), repr.persistenceId(), repr.sequenceNr(),
                        Option.apply((Event) event), repr.timestamp(), repr.metadata(), entityType, slice));
            }
        }
    }

    @Override
    public int sliceForPersistenceId(String persistenceId) {
        return persistence.sliceForPersistenceId(persistenceId);
    }

    @Override
    public List<Pair<Integer, Integer>> sliceRanges(int numberOfRanges) {
        return persistence.getSliceRanges(numberOfRanges);
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
