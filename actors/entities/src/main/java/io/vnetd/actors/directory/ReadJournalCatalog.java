package io.vnetd.actors.directory;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentLastSequenceNumberByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.query.typed.javadsl.CurrentEventsBySliceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** An {@link EntityCatalog} read from any Pekko Persistence Query plugin that lists persistence ids. */
public final class ReadJournalCatalog implements EntityCatalog {

    /** Entities looked up at once from a snapshot: enough for the journal to read them in groups (a look-up is cheap). */
    private static final int LOOK_UPS_IN_FLIGHT = 1024;

    private final ActorSystem<?> system;
    private final String readJournalPluginId;
    private final Set<String> types;
    private final int parallelism;

    public ReadJournalCatalog(ActorSystem<?> system, String readJournalPluginId, Set<String> types, int parallelism) {
        this.system = system;
        this.readJournalPluginId = readJournalPluginId;
        this.types = Set.copyOf(types);
        this.parallelism = parallelism;
    }

    @Override
    public <T> CompletionStage<List<T>> visitAll(Function<EntityId, CompletionStage<T>> visit) {
        CurrentPersistenceIdsQuery query = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournalPluginId);
        String separator = PersistenceId.DefaultSeparator();
        return query.currentPersistenceIds()
                .filter(id -> id.contains(separator))
                .map(id -> new EntityId(id.substring(0, id.indexOf(separator)), id.substring(id.indexOf(separator) + 1)))
                .filter(entity -> types.contains(entity.type()))
                .mapAsyncUnordered(parallelism, visit::apply)
                .runWith(Sink.seq(), system);
    }

    /**
     * Needs a read journal that serves {@link CurrentEventsBySliceQuery} (vnetd's LMDB one does). The slices are
     * read in as many ranges at once as there are processors (rounded down to a power of two, which Pekko's
     * ranges need): decoding the events is most of the work. Every event is read from the first: the entities
     * never delete events (their snapshots are for their own recovery), so their states fold from them alone.
     */
    @Override
    public <S> CompletionStage<Map<String, Folded<S>>> foldAll(String type, S empty, BiFunction<S, Object, S> apply) {
        if (!(readJournal() instanceof CurrentEventsBySliceQuery slices)) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the read journal "
                    + readJournalPluginId + " cannot read all entities of a type at once (CurrentEventsBySliceQuery)"));
        }
        int ranges = Integer.highestOneBit(Math.min(Runtime.getRuntime().availableProcessors(), 1024));
        List<CompletableFuture<Map<String, Folded<S>>>> parts = slices.sliceRanges(ranges).stream()
                .map(range -> foldSlices(slices, type, range.first(), range.second(), empty, apply).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, Folded<S>> states = new HashMap<>();
            parts.forEach(part -> states.putAll(part.join()));
            return states;
        });
    }

    private <S> CompletionStage<Map<String, Folded<S>>> foldSlices(CurrentEventsBySliceQuery slices, String type,
                                                                  int minSlice, int maxSlice, S empty,
                                                                  BiFunction<S, Object, S> apply) {
        String prefix = type + PersistenceId.DefaultSeparator();
        Map<String, Folded<S>> states = new HashMap<>();
        return slices.<Object>currentEventsBySlices(type, minSlice, maxSlice, Offset.noOffset())
                .runForeach(envelope -> states.compute(envelope.persistenceId().substring(prefix.length()),
                        (id, folded) -> new Folded<>(envelope.sequenceNr(),
                                apply.apply(folded == null ? empty : folded.state(), envelope.event()))), system)
                .thenApply(done -> states);
    }

    /**
     * Needs a read journal that lists persistence ids and serves each one's highest sequence number and events (vnetd's
     * LMDB one does). An entity whose highest sequence number is the one {@code known} holds costs one look-up.
     */
    @Override
    public <S> CompletionStage<Map<String, Folded<S>>> foldFrom(String type, Map<String, Folded<S>> known, S empty,
                                                                BiFunction<S, Object, S> apply) {
        ReadJournal journal = readJournal();
        if (!(journal instanceof CurrentPersistenceIdsQuery ids)) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the read journal "
                    + readJournalPluginId + " cannot list persistence ids"));
        }
        String prefix = type + PersistenceId.DefaultSeparator();
        return foldOn(journal, ids.currentPersistenceIds().filter(id -> id.startsWith(prefix)), prefix, known, empty,
                apply);
    }

    @Override
    public <S> CompletionStage<Map<String, Folded<S>>> foldSome(String type, Collection<String> entityIds,
                                                                Map<String, Folded<S>> known, S empty,
                                                                BiFunction<S, Object, S> apply) {
        String prefix = type + PersistenceId.DefaultSeparator();
        return foldOn(readJournal(), Source.from(List.copyOf(entityIds)).map(id -> prefix + id), prefix, known, empty,
                apply);
    }

    private ReadJournal readJournal() {
        return PersistenceQuery.get(Adapter.toClassic(system)).getReadJournalFor(ReadJournal.class, readJournalPluginId);
    }

    /** The entities {@code persistenceIds} folded on from {@code known}; those the journal has no event of left out. */
    private <S> CompletionStage<Map<String, Folded<S>>> foldOn(ReadJournal journal, Source<String, ?> persistenceIds,
                                                              String prefix, Map<String, Folded<S>> known, S empty,
                                                              BiFunction<S, Object, S> apply) {
        if (!(journal instanceof CurrentLastSequenceNumberByPersistenceIdQuery highest)
                || !(journal instanceof CurrentEventsByPersistenceIdQuery events)) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the read journal "
                    + readJournalPluginId + " cannot read entities from their known states (highest sequence numbers, "
                    + "events by persistence id)"));
        }
        Folded<S> none = new Folded<>(0, empty);
        return persistenceIds
                .mapAsyncUnordered(LOOK_UPS_IN_FLIGHT, id -> highest.currentLastSequenceNumberByPersistenceId(id)
                        .thenCompose(last -> {
                            String entityId = id.substring(prefix.length());
                            long to = last.orElse(0L);
                            Folded<S> from = known.getOrDefault(entityId, none);
                            if (to == 0) {
                                return CompletableFuture.completedFuture(Optional.<Map.Entry<String, Folded<S>>>empty());
                            }
                            if (from.sequenceNr() == to) {
                                return CompletableFuture.completedFuture(Optional.of(Map.entry(entityId, from)));
                            }
                            Folded<S> start = from.sequenceNr() < to ? from : none;
                            return events.currentEventsByPersistenceId(id, start.sequenceNr() + 1, to)
                                    .runFold(start, (folded, envelope) -> new Folded<>(envelope.sequenceNr(),
                                            apply.apply(folded.state(), envelope.event())), system)
                                    .thenApply(folded -> Optional.of(Map.entry(entityId, folded)));
                        }))
                .runFold(new HashMap<String, Folded<S>>(), (states, entry) -> {
                    entry.ifPresent(e -> states.put(e.getKey(), e.getValue()));
                    return states;
                }, system)
                .thenApply(Collections::unmodifiableMap);
    }

    @Override
    public CompletionStage<List<Object>> events(EntityId entity) {
        CurrentEventsByPersistenceIdQuery query = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPluginId);
        return query.currentEventsByPersistenceId(entity.type() + PersistenceId.DefaultSeparator() + entity.id(),
                        0, Long.MAX_VALUE)
                .map(EventEnvelope::event)
                .runWith(Sink.seq(), system);
    }
}
