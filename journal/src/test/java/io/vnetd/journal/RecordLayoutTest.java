package io.vnetd.journal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Records encoded as LMDB stores them, without LMDB: round trips, and every kind of damage the checksum finds. */
class RecordLayoutTest {

    private static final StoredEvent EVENT = new StoredEvent("Netdev|h0", 17, 4, new byte[] {1, 2, 3});
    private static final StoredSnapshot SNAPSHOT = new StoredSnapshot("Netdev|h0", 17, 1_700_000_000_000L, 9, new byte[] {4, 5});

    private static ByteBuffer key(long pidNo, long sequenceNr) {
        return RecordLayout.key(ByteBuffer.allocateDirect(16), pidNo, sequenceNr);
    }

    private static ByteBuffer encoded(ByteBuffer key, StoredEvent e) {
        ByteBuffer value = ByteBuffer.allocateDirect(RecordLayout.eventSize(e));
        RecordLayout.encodeEvent(key, value, e);
        return value;
    }

    private static ByteBuffer encoded(ByteBuffer key, StoredSnapshot s) {
        ByteBuffer value = ByteBuffer.allocateDirect(RecordLayout.snapshotSize(s));
        RecordLayout.encodeSnapshot(key, value, s);
        return value;
    }

    /** As LMDB orders keys: memcmp, bytes unsigned. */
    private static int compare(ByteBuffer a, ByteBuffer b) {
        byte[] x = new byte[16];
        byte[] y = new byte[16];
        a.get(0, x);
        b.get(0, y);
        return Integer.signum(Arrays.compareUnsigned(x, y));
    }

    @Test
    void keysSortByIdNumberThenSequenceNumber() {
        ByteBuffer key = key(3, 17);
        assertEquals(3, RecordLayout.pidNoOf(key));
        assertEquals(17, RecordLayout.sequenceNrOf(key));
        assertEquals(-1, compare(key(3, 127), key(3, 128)));
        assertEquals(-1, compare(key(3, 255), key(3, 256)));
        assertEquals(-1, compare(key(3, Long.MAX_VALUE), key(4, 1)));
    }

    @Test
    void anEventComesBackAsWritten() {
        ByteBuffer key = key(3, 17);
        StoredEvent back = RecordLayout.decodeEvent("Netdev|h0", key, encoded(key, EVENT));

        assertEquals(EVENT.persistenceId(), back.persistenceId());
        assertEquals(EVENT.sequenceNr(), back.sequenceNr());
        assertEquals(EVENT.serializerId(), back.serializerId());
        assertArrayEquals(EVENT.bytes(), back.bytes());
    }

    @Test
    void aSnapshotComesBackAsWritten() {
        ByteBuffer key = key(3, 17);
        ByteBuffer value = encoded(key, SNAPSHOT);
        StoredSnapshot back = RecordLayout.decodeSnapshot("Netdev|h0", key, value);

        assertEquals(SNAPSHOT.sequenceNr(), back.sequenceNr());
        assertEquals(SNAPSHOT.timestamp(), back.timestamp());
        assertEquals(SNAPSHOT.timestamp(), RecordLayout.snapshotTimestamp(value));
        assertEquals(SNAPSHOT.serializerId(), back.serializerId());
        assertArrayEquals(SNAPSHOT.bytes(), back.bytes());
    }

    @Test
    void aDamagedEventFailsItsChecksum() {
        ByteBuffer key = key(3, 17);
        for (int at = 0; at < RecordLayout.eventSize(EVENT); at++) { // checksum, serializer id and payload alike
            ByteBuffer value = encoded(key, EVENT);
            value.put(at, (byte) ~value.get(at));
            JournalCorruptException e = assertThrows(JournalCorruptException.class,
                    () -> RecordLayout.decodeEvent("Netdev|h0", key, value));
            assertEquals("journal corrupt: record Netdev|h0 #17 failed its checksum", e.getMessage());
        }
    }

    @Test
    void aDamagedSnapshotTimestampFailsItsChecksum() {
        ByteBuffer key = key(3, 17);
        ByteBuffer value = encoded(key, SNAPSHOT);
        value.putLong(8, SNAPSHOT.timestamp() + 1);

        JournalCorruptException e = assertThrows(JournalCorruptException.class,
                () -> RecordLayout.decodeSnapshot("Netdev|h0", key, value));
        assertEquals("journal corrupt: snapshot Netdev|h0 #17 failed its checksum", e.getMessage());
    }

    @Test
    void aValueUnderAnotherKeyFailsItsChecksum() {
        ByteBuffer value = encoded(key(3, 17), EVENT);

        assertThrows(JournalCorruptException.class, () -> RecordLayout.decodeEvent("Netdev|h0", key(3, 18), value));
        assertThrows(JournalCorruptException.class, () -> RecordLayout.decodeEvent("Netdev|h0", key(4, 17), value));
    }

    @Test
    void aValueShorterThanItsHeaderIsCorrupt() {
        ByteBuffer key = key(3, 17);
        ByteBuffer shortValue = encoded(key, EVENT).limit(7);

        assertThrows(JournalCorruptException.class, () -> RecordLayout.decodeEvent("Netdev|h0", key, shortValue));
        assertThrows(JournalCorruptException.class,
                () -> RecordLayout.decodeSnapshot("Netdev|h0", key, encoded(key, SNAPSHOT).limit(15)));
    }
}
