package io.vnetd.ops.journal;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import io.vnetd.journal.JournalException;
import io.vnetd.journal.PersistentCodec;
import io.vnetd.journal.StoredEvent;
import io.vnetd.model.JsonSerializable;
import java.io.IOException;
import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.pekko.serialization.Serialization;

/**
 * Decodes stored events for the journal tools, fast: the record's PersistentRepr envelope (Pekko's protobuf
 * {@code PersistentMessage}) is read in place by a small parser of the few fields the tools show, and a payload the
 * node wrote with its Jackson JSON serializer is read, where it lies in the record, by a reader prepared once per
 * event class from that serializer's own object mapper. That is what Pekko's serializers do for these records,
 * without their copies of the bytes and their per-record look-ups; anything else (another serializer, a compressed
 * payload, a versioned manifest, a class that is not one of vnetd's) goes through {@link PersistentCodec}, Pekko's
 * way. Not thread-safe: one per thread (it keeps the record being parsed in its fields).
 */
final class EventDecoder {

    private static final byte GZIP_FIRST = 0x1f;

    // PersistentMessage's fields (pekko-persistence's MessageFormats.proto) and PersistentPayload's.
    private static final int MESSAGE_PAYLOAD = 1;
    private static final int MESSAGE_SEQUENCE_NR = 2;
    private static final int MESSAGE_PERSISTENCE_ID = 3;
    private static final int MESSAGE_TIMESTAMP = 14;
    private static final int PAYLOAD_SERIALIZER_ID = 1;
    private static final int PAYLOAD_BYTES = 2;
    private static final int PAYLOAD_MANIFEST = 3;

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    /** An event class's manifest as stored, and its reader (null: decoded Pekko's way). */
    private record Manifest(byte[] name, ObjectReader reader) {
    }

    private final PersistentCodec codec;
    private final Serialization serialization;
    private final ObjectMapper json;
    private final int jsonSerializerId;
    private final List<Manifest> manifests = new ArrayList<>();
    private Manifest lastManifest;
    private String lastPersistenceId;
    private byte[] lastPersistenceIdBytes;

    // The record being parsed: where its fields lie in the bytes (-1: absent).
    private int at;
    private long sequenceNr;
    private long timestamp;
    private int persistenceIdFrom;
    private int persistenceIdLength;
    private int serializerId;
    private int payloadFrom;
    private int payloadLength;
    private int manifestFrom;
    private int manifestLength;

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
        byte[] bytes = stored.bytes();
        try {
            parse(bytes);
        } catch (Malformed e) {
            throw bad(stored, "cannot be decoded: " + e.getMessage(), null);
        }
        if (!persistenceIdIs(bytes, stored.persistenceId()) || sequenceNr != stored.sequenceNr()) {
            String persistenceId = persistenceIdFrom < 0 ? ""
                    : new String(bytes, persistenceIdFrom, persistenceIdLength, UTF_8);
            throw bad(stored, "holds the record of " + persistenceId + " #" + sequenceNr, null);
        }
        ObjectReader reader = serializerId == jsonSerializerId && payloadFrom >= 0 ? reader(bytes) : null;
        if (reader == null || payloadLength == 0 || bytes[payloadFrom] == GZIP_FIRST) {
            return slow(stored);
        }
        try {
            return new JournalEvent(stored.persistenceId(), sequenceNr, timestamp,
                    reader.readValue(bytes, payloadFrom, payloadLength));
        } catch (IOException e) {
            throw bad(stored, "cannot be decoded: " + e.getMessage(), e);
        }
    }

    private boolean persistenceIdIs(byte[] bytes, String persistenceId) {
        if (persistenceId != lastPersistenceId) { // the store passes one String for all of an id's records
            lastPersistenceId = persistenceId;
            lastPersistenceIdBytes = persistenceId.getBytes(UTF_8);
        }
        return persistenceIdFrom >= 0 && Arrays.equals(lastPersistenceIdBytes, 0, lastPersistenceIdBytes.length,
                bytes, persistenceIdFrom, persistenceIdFrom + persistenceIdLength);
    }

    /** The reader of the parsed manifest if it names one of vnetd's JSON classes, made once; else null. */
    private ObjectReader reader(byte[] bytes) {
        int from = manifestFrom < 0 ? 0 : manifestFrom;
        int to = from + (manifestFrom < 0 ? 0 : manifestLength);
        if (lastManifest != null && Arrays.equals(lastManifest.name, 0, lastManifest.name.length, bytes, from, to)) {
            return lastManifest.reader;
        }
        for (Manifest manifest : manifests) {
            if (Arrays.equals(manifest.name, 0, manifest.name.length, bytes, from, to)) {
                lastManifest = manifest;
                return manifest.reader;
            }
        }
        byte[] name = Arrays.copyOfRange(bytes, from, to);
        lastManifest = new Manifest(name, readerOf(new String(name, UTF_8)));
        manifests.add(lastManifest);
        return lastManifest.reader;
    }

    private ObjectReader readerOf(String className) {
        if (className.isEmpty() || className.contains("#")) {
            return null; // no class named, or a versioned manifest: Pekko's migrations apply
        }
        try {
            Class<?> type = Class.forName(className, false, serialization.system().dynamicAccess().classLoader());
            return JsonSerializable.class.isAssignableFrom(type) ? json.readerFor(type) : null;
        } catch (ClassNotFoundException e) {
            return null; // Pekko's way reports it with the record
        }
    }

    /** Finds the envelope's fields; the others (writer, sender, metadata, ...) are skipped as protobuf says. */
    private void parse(byte[] bytes) throws Malformed {
        at = 0;
        sequenceNr = 0;
        timestamp = 0;
        persistenceIdFrom = -1;
        serializerId = 0;
        payloadFrom = -1;
        manifestFrom = -1;
        while (at < bytes.length) {
            long tag = varint(bytes, bytes.length);
            int field = (int) (tag >>> 3);
            int wireType = (int) tag & 7;
            if (field == MESSAGE_PAYLOAD && wireType == LENGTH_DELIMITED) {
                int length = length(bytes, bytes.length);
                parsePayload(bytes, at + length);
            } else if (field == MESSAGE_SEQUENCE_NR && wireType == VARINT) {
                sequenceNr = varint(bytes, bytes.length);
            } else if (field == MESSAGE_PERSISTENCE_ID && wireType == LENGTH_DELIMITED) {
                persistenceIdLength = length(bytes, bytes.length);
                persistenceIdFrom = at;
                at += persistenceIdLength;
            } else if (field == MESSAGE_TIMESTAMP && wireType == VARINT) {
                long zigzag = varint(bytes, bytes.length);
                timestamp = (zigzag >>> 1) ^ -(zigzag & 1);
            } else {
                skip(bytes, bytes.length, wireType);
            }
        }
    }

    private void parsePayload(byte[] bytes, int end) throws Malformed {
        while (at < end) {
            long tag = varint(bytes, end);
            int field = (int) (tag >>> 3);
            int wireType = (int) tag & 7;
            if (field == PAYLOAD_SERIALIZER_ID && wireType == VARINT) {
                serializerId = (int) varint(bytes, end);
            } else if (field == PAYLOAD_BYTES && wireType == LENGTH_DELIMITED) {
                payloadLength = length(bytes, end);
                payloadFrom = at;
                at += payloadLength;
            } else if (field == PAYLOAD_MANIFEST && wireType == LENGTH_DELIMITED) {
                manifestLength = length(bytes, end);
                manifestFrom = at;
                at += manifestLength;
            } else {
                skip(bytes, end, wireType);
            }
        }
    }

    private long varint(byte[] bytes, int end) throws Malformed {
        long value = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (at >= end) {
                throw new Malformed("the envelope ends inside a number");
            }
            byte b = bytes[at++];
            value |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return value;
            }
        }
        throw new Malformed("a number of more than ten bytes in the envelope");
    }

    /** A length-delimited field's length, checked to lie within {@code end}. */
    private int length(byte[] bytes, int end) throws Malformed {
        long length = varint(bytes, end);
        if (length < 0 || length > end - at) {
            throw new Malformed("a field of the envelope runs past its end");
        }
        return (int) length;
    }

    private void skip(byte[] bytes, int end, int wireType) throws Malformed {
        switch (wireType) {
            case VARINT -> varint(bytes, end);
            case LENGTH_DELIMITED -> {
                int length = length(bytes, end);
                at += length;
            }
            case FIXED64, FIXED32 -> {
                int size = wireType == FIXED64 ? Long.BYTES : Integer.BYTES;
                if (size > end - at) {
                    throw new Malformed("a field of the envelope runs past its end");
                }
                at += size;
            }
            default -> throw new Malformed("the envelope holds a field of wire type " + wireType);
        }
    }

    /** A record that is not a well-formed envelope. */
    private static final class Malformed extends Exception {
        Malformed(String message) {
            super(message, null, false, false);
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
