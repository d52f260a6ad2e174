package io.vnetd.journal;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * One write request to the store: applied atomically in LMDB, logged in the write-ahead log as it was asked, and
 * answered through {@link #done} once the log holds it durably. Replaying a logged request against the state it was
 * first applied to gives the same result, so recovery re-applies requests, not pages.
 */
sealed interface StoreWrite {

    CompletableFuture<Void> done();

    record Append(List<StoredEvent> events, CompletableFuture<Void> done) implements StoreWrite {}

    record DeleteEvents(String persistenceId, long toSequenceNr, CompletableFuture<Void> done) implements StoreWrite {}

    record PutSnapshot(StoredSnapshot snapshot, CompletableFuture<Void> done) implements StoreWrite {}

    record DeleteSnapshots(String persistenceId, SnapshotSelectionCriteria criteria, CompletableFuture<Void> done)
            implements StoreWrite {}
}
