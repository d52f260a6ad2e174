package io.vnetd.actors.directory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.persistence.query.typed.javadsl.CurrentEventsBySliceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/** An {@link EntityCatalog} read from any Pekko Persistence Query plugin that lists persistence ids. */
public final class ReadJournalCatalog implements EntityCatalog {

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
    public <S> CompletionStage<Map<String, S>> foldAll(String type, S empty, BiFunction<S, Object, S> apply) {
        ReadJournal journal = PersistenceQuery.get(Adapter.toClassic(system)).getReadJournalFor(ReadJournal.class,
                readJournalPluginId);
        if (!(journal instanceof CurrentEventsBySliceQuery slices)) {
            return CompletableFuture.failedFuture(new UnsupportedOperationException("the read journal "
                    + readJournalPluginId + " cannot read all entities of a type at once (CurrentEventsBySliceQuery)"));
        }
        int ranges = Integer.highestOneBit(Math.min(Runtime.getRuntime().availableProcessors(), 1024));
        List<CompletableFuture<Map<String, S>>> parts = slices.sliceRanges(ranges).stream()
                .map(range -> foldSlices(slices, type, range.first(), range.second(), empty, apply).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, S> states = new HashMap<>();
            parts.forEach(part -> states.putAll(part.join()));
            return states;
        });
    }

    private <S> CompletionStage<Map<String, S>> foldSlices(CurrentEventsBySliceQuery slices, String type, int minSlice,
                                                          int maxSlice, S empty, BiFunction<S, Object, S> apply) {
        String prefix = type + PersistenceId.DefaultSeparator();
        Map<String, S> states = new HashMap<>();
        return slices.<Object>currentEventsBySlices(type, minSlice, maxSlice, Offset.noOffset())
                .runForeach(envelope -> states.compute(envelope.persistenceId().substring(prefix.length()),
                        (id, state) -> apply.apply(state == null ? empty : state, envelope.event())), system)
                .thenApply(done -> states);
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
