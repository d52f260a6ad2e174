package io.vnetd.actors.directory;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.stream.javadsl.Sink;

/** An {@link EntityCatalog} read from any Pekko Persistence Query plugin that lists persistence ids. */
public final class ReadJournalCatalog implements EntityCatalog {

    private final ActorSystem<?> system;
    private final String readJournalPluginId;
    private final String prefix;
    private final int parallelism;

    public ReadJournalCatalog(ActorSystem<?> system, String readJournalPluginId, String entityTypeName, int parallelism) {
        this.system = system;
        this.readJournalPluginId = readJournalPluginId;
        this.prefix = entityTypeName + PersistenceId.DefaultSeparator();
        this.parallelism = parallelism;
    }

    @Override
    public <T> CompletionStage<List<T>> visitAll(Function<String, CompletionStage<T>> visit) {
        CurrentPersistenceIdsQuery query = PersistenceQuery.get(Adapter.toClassic(system))
                .getReadJournalFor(CurrentPersistenceIdsQuery.class, readJournalPluginId);
        return query.currentPersistenceIds()
                .filter(id -> id.startsWith(prefix))
                .map(id -> id.substring(prefix.length()))
                .mapAsyncUnordered(parallelism, visit::apply)
                .runWith(Sink.seq(), system);
    }
}
