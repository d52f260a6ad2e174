package io.vnetd.actors.directory;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/** The entities of one type that the journal knows, visited at start to recover them. */
@FunctionalInterface
public interface EntityCatalog {

    /** Applies {@code visit} to every entity id, a bounded number at a time, and gathers the results. */
    <T> CompletionStage<List<T>> visitAll(Function<String, CompletionStage<T>> visit);
}
