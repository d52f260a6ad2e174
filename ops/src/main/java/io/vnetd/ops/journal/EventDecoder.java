package io.vnetd.ops.journal;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vnetd.journal.JournalException;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import io.vnetd.model.JsonSerializable;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.persistence.serialization.MessageFormats;
import org.apache.pekko.protobufv3.internal.ByteString;
import org.apache.pekko.serialization.Serialization;

/**
 * Decodes stored events for the journal tools, fast: the record's PersistentRepr envelope is read with its protobuf
 * message, and a payload the node wrote with its Jackson JSON serializer is read by a reader prepared once per event
 * class from that serializer's own object mapper. That is what Pekko's serializers do for these records, without
 * their per-record lookups; anything else (another serializer, a compressed payload, a versioned manifest, a class
 * that is not one of vnetd's) goes through {@link PersistentCodec}, Pekko's way. Not thread-safe: one per thread.
 */
final class EventDecoder {

    private static final byte GZIP_FIRST = 0x1f;

    private final PersistentCodec codec;
    private final Serialization serialization;
    private final ObjectMapper json;
    private final int jsonSerializerId;
    private final Map<ByteString, ObjectReader> readers = new HashMap<>();

    /**
     * @param json the object mapper of the serializer bound to {@link JsonSerializable} (Pekko's {@code jackson-json})
     */
    EventDecoder(Serialization serialization, ObjectMapper json) {
        this.codec = new PersistentCodec(serialization);
        this.serialization = serialization;
        this.json = json;
        this.jsonSerializerId = jsonSerializerId(serialization);
    }

    private static int jsonSerializerId(Serialization serialization) {
        try {
            return serialization.serializerFor(JsonSerializable.class).identifier();
        } catch (NotSerializableException e) {
            throw new IllegalStateException("no serializer is bound to " + JsonSerializable.class.getName(), e);
        }
    }

    JournalEvent decode(StoredEvent stored) {
        MessageFormats.PersistentMessage message;
        try {
            message = MessageFormats.PersistentMessage.parseFrom(stored.bytes());
        } catch (IOException e) {
            throw bad(stored, "cannot be decoded: " + e.getMessage(), e);
        }
        if (!message.getPersistenceId().equals(stored.persistenceId()) || message.getSequenceNr() != stored.sequenceNr()) {
            throw bad(stored, "holds the record of " + message.getPersistenceId() + " #" + message.getSequenceNr(), null);
        }
        MessageFormats.PersistentPayload payload = message.getPayload();
        ObjectReader reader = payload.getSerializerId() == jsonSerializerId ? reader(payload.getPayloadManifest()) : null;
        ByteString bytes = payload.getPayload();
        if (reader == null || bytes.isEmpty() || bytes.byteAt(0) == GZIP_FIRST) {
            return slow(stored);
        }
        try {
            return new JournalEvent(stored.persistenceId(), stored.sequenceNr(), message.getTimestamp(),
                    reader.readValue(bytes.toByteArray()));
        } catch (IOException e) {
            throw bad(stored, "cannot be decoded: " + e.getMessage(), e);
        }
    }

    /** The reader of a manifest naming one of vnetd's JSON classes, made once; null for any other manifest. */
    private ObjectReader reader(ByteString manifest) {
        ObjectReader reader = readers.get(manifest);
        if (reader == null && !readers.containsKey(manifest)) {
            reader = readerOf(manifest.toStringUtf8());
            readers.put(manifest, reader);
        }
        return reader;
    }

    private ObjectReader readerOf(String className) {
        if (className.contains("#")) {
            return null; // a versioned manifest: Pekko's migrations apply
        }
        try {
            Class<?> type = Class.forName(className, false, serialization.system().dynamicAccess().classLoader());
            return JsonSerializable.class.isAssignableFrom(type) ? json.readerFor(type) : null;
        } catch (ClassNotFoundException e) {
            return null; // Pekko's way reports it with the record
        }
    }

    private static JournalException bad(StoredEvent stored, String why, Exception cause) {
        return new JournalException("journal event " + stored.persistenceId() + " #" + stored.sequenceNr() + " " + why,
                cause);
    }

    private JournalEvent slow(StoredEvent stored) {
        var repr = codec.decode(stored);
        return new JournalEvent(repr.persistenceId(), repr.sequenceNr(), repr.timestamp(), repr.payload());
    }
}
