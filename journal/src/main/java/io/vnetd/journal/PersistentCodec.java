package io.vnetd.journal;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.serialization.Snapshot;
import org.apache.pekko.serialization.Serialization;

/**
 * Turns events and snapshots into their stored form and back, with Pekko's serializers for PersistentRepr
 * (protobuf MessageSerializer) and Snapshot (SnapshotSerializer), which carry the payload's own serializer id and
 * manifest. A record that cannot be decoded is reported as a {@link JournalCorruptException} naming it.
 */
public final class PersistentCodec {

    private final Serialization serialization;

    public PersistentCodec(Serialization serialization) {
        this.serialization = serialization;
    }

    /**
     * The stored form of an event. Tags are dropped (this journal has no tag queries, and a Tagged wrapper has no
     * serializer), as is the sender (an actor of a past incarnation means nothing on replay); a missing timestamp is set.
     * Throws if the payload cannot be serialized.
     */
    public StoredEvent encode(PersistentRepr event) {
        PersistentRepr stored = event
                .withPayload(event.payload() instanceof Tagged tagged ? tagged.payload() : event.payload())
                .update(event.sequenceNr(), event.persistenceId(), event.deleted(), ActorRef.noSender(), event.writerUuid());
        if (stored.timestamp() == 0) {
            stored = stored.withTimestamp(System.currentTimeMillis());
        }
        return new StoredEvent(event.persistenceId(), event.sequenceNr(), serializerId(stored), serialize(stored));
    }

    public PersistentRepr decode(StoredEvent event) {
        Object decoded = deserialize(JournalCorruptException.EVENT, event.persistenceId(), event.sequenceNr(),
                event.bytes(), event.serializerId());
        if (decoded instanceof PersistentRepr repr
                && repr.persistenceId().equals(event.persistenceId()) && repr.sequenceNr() == event.sequenceNr()) {
            return repr;
        }
        throw new JournalCorruptException(JournalCorruptException.EVENT, event.persistenceId(), event.sequenceNr(),
                "holds something else: " + decoded, null);
    }

    /** The stored form of a snapshot, stamped now if its metadata has no timestamp. Throws if it cannot be serialized. */
    public StoredSnapshot encode(SnapshotMetadata metadata, Object snapshot) {
        Snapshot wrapped = new Snapshot(snapshot);
        long timestamp = metadata.timestamp() == 0 ? System.currentTimeMillis() : metadata.timestamp();
        return new StoredSnapshot(metadata.persistenceId(), metadata.sequenceNr(), timestamp,
                serializerId(wrapped), serialize(wrapped));
    }

    public SelectedSnapshot decode(StoredSnapshot snapshot) {
        Object decoded = deserialize(JournalCorruptException.SNAPSHOT, snapshot.persistenceId(), snapshot.sequenceNr(),
                snapshot.bytes(), snapshot.serializerId());
        if (decoded instanceof Snapshot s) {
            return SelectedSnapshot.create(
                    new SnapshotMetadata(snapshot.persistenceId(), snapshot.sequenceNr(), snapshot.timestamp()), s.data());
        }
        throw new JournalCorruptException(JournalCorruptException.SNAPSHOT, snapshot.persistenceId(),
                snapshot.sequenceNr(), "holds something else: " + decoded, null);
    }

    private int serializerId(Object o) {
        return serialization.findSerializerFor(o).identifier();
    }

    private byte[] serialize(Object o) {
        return serialization.serialize(o).get();
    }

    private Object deserialize(String kind, String persistenceId, long sequenceNr, byte[] bytes, int serializerId) {
        try {
            return serialization.deserialize(bytes, serializerId, "").get();
        } catch (Exception e) { // Scala rethrows checked exceptions undeclared
            throw new JournalCorruptException(kind, persistenceId, sequenceNr, "cannot be decoded: " + e, e);
        }
    }
}
