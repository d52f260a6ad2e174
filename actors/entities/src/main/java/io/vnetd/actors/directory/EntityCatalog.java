package io.vnetd.actors.directory;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/** The entities the journal knows, visited at start to recover them. */
@FunctionalInterface
public interface EntityCatalog {

    /** An entity by its type name (the first part of its persistence id) and its id. */
    record EntityId(String type, String id) {
    }

    /** An entity's state after the events up to {@code sequenceNr} (0: before any). */
    record Folded<S>(long sequenceNr, S state) {
    }

    /** Applies {@code visit} to every entity, a bounded number at a time, and gathers the results. */
    <T> CompletionStage<List<T>> visitAll(Function<EntityId, CompletionStage<T>> visit);

    /**
     * The entity's events, oldest first, read from the journal without starting it: how the
     * directory learns the state of an entity whose node cannot be reached.
     */
    default CompletionStage<List<Object>> events(EntityId entity) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this catalog cannot read events"));
    }

    /**
     * The state of every entity of {@code type}, by entity id: its events folded with {@code apply} from
     * {@code empty}, read from the journal in one pass without starting any entity. How a single node's
     * directory learns every state at start when it has no snapshot.
     */
    default <S> CompletionStage<Map<String, Folded<S>>> foldAll(String type, S empty, BiFunction<S, Object, S> apply) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this catalog cannot read events in bulk"));
    }

    /**
     * As {@link #foldAll}, but an entity found in {@code known} is folded on from there: only its events after
     * that sequence number are read. An entity {@code known} does not hold, or holds further than the journal
     * goes (a snapshot that is not of this journal), is folded from its first event; one the journal does not
     * list is left out. How a single node's directory starts from a snapshot of its index.
     */
    default <S> CompletionStage<Map<String, Folded<S>>> foldFrom(String type, Map<String, Folded<S>> known, S empty,
                                                                 BiFunction<S, Object, S> apply) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this catalog cannot read events in bulk"));
    }

    /**
     * As {@link #foldFrom}, for the entities {@code ids} of {@code type} only: how a directory snapshot takes in the
     * entities that changed since the last one. Those the journal has no event of are left out.
     */
    default <S> CompletionStage<Map<String, Folded<S>>> foldSome(String type, Collection<String> ids,
                                                                 Map<String, Folded<S>> known, S empty,
                                                                 BiFunction<S, Object, S> apply) {
        return CompletableFuture.failedFuture(new UnsupportedOperationException("this catalog cannot read events in bulk"));
    }
}
