package io.vnetd.journal;

import com.typesafe.config.Config;
import java.util.Optional;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.SerializationExtension;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko Persistence snapshot store on LMDB ({@link LmdbStore}), plugin id {@code vnetd.snapshot-store.lmdb}. Shares
 * the environment and the writer thread of the journal in the same directory. Snapshot metadata beyond persistence
 * id, sequence number and timestamp (replicated event sourcing) is not stored.
 */
public final class LmdbSnapshotStore extends SnapshotStore {

    private final LmdbStore store;
    private final PersistentCodec codec;

    public LmdbSnapshotStore(Config config) {
        store = LmdbStore.acquire(LmdbSettings.from(context().system().settings().config(), config.getString("store")));
        codec = new PersistentCodec(SerializationExtension.get(context().system()));
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(store.read(() -> store.loadSnapshot(persistenceId, criteria).map(codec::decode)));
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        try {
            store.checkPersistenceId(metadata.persistenceId());
            return FutureConverters.asScala(store.saveSnapshot(codec.encode(metadata, snapshot)));
        } catch (Exception e) { // serialization throws checked exceptions undeclared
            return Futures.failed(e);
        }
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        // timestamp 0 means any; Pekko fills it in when it knows the snapshot
        long ts = metadata.timestamp();
        return FutureConverters.asScala(store.deleteSnapshots(metadata.persistenceId(), new SnapshotSelectionCriteria(
                metadata.sequenceNr(), ts == 0 ? Long.MAX_VALUE : ts, metadata.sequenceNr(), ts)));
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return FutureConverters.asScala(store.deleteSnapshots(persistenceId, criteria));
    }

    @Override
    public void postStop() {
        store.close();
    }
}
