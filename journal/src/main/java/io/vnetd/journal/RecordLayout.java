package io.vnetd.journal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.lmdbjava.DbiFlags.MDB_CREATE;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;
import static org.lmdbjava.PutFlags.MDB_NOOVERWRITE;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32C;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Stat;
import org.lmdbjava.Txn;

/**
 * How the store's records lie in LMDB: five named databases, their keys and values, and the numbering of persistence
 * ids. Integers are big-endian, so keys sort by number.
 * <pre>
 * meta       "format"                        -> int32 storage format, {@value #FORMAT}
 *            "log-next"                      -> int64 sequence of the first log group LMDB does not hold
 * pids       persistence id (UTF-8)          -> pidNo int64, deletedTo int64
 * pid-names  pidNo int64                     -> persistence id (UTF-8)
 * journal    pidNo int64, sequenceNr int64   -> crc32c int32, serializerId int32, bytes
 * snapshots  pidNo int64, sequenceNr int64   -> crc32c int32, serializerId int32, timestamp int64, bytes
 * </pre>
 * <ul>
 * <li>{@code pidNo} is a number given to a persistence id on its first write, so record keys are 16 bytes however
 *     long the id (LMDB keys are at most 511 bytes) and one id's records are adjacent, in sequence order.
 * <li>{@code deletedTo} is the highest sequence number removed by deleteMessagesTo. The highest sequence number of an
 *     id is the larger of it and the last key, so it survives the deletion of every event.
 * <li>journal {@code bytes} is a PersistentRepr serialized by Pekko's protobuf MessageSerializer (which stores the
 *     payload with its own serializer id and manifest); snapshot {@code bytes} is a Pekko Snapshot serialized by its
 *     SnapshotSerializer. {@code serializerId} names the serializer that wrote them; neither uses a manifest.
 * <li>{@code crc32c} covers the key and the rest of the value, so damage, or a value under the wrong key, is found.
 * </ul>
 *
 * <p>An instance holds the databases' handles and nothing else, so every thread may use it: each works in its own
 * transaction and passes its own buffers where a key is built, so that the writer and checkpoint threads, which own
 * theirs, write without allocating.
 */
final class RecordLayout {

    private static final int FORMAT = 1;
    private static final int EVENT_HEADER = 8;
    private static final int SNAPSHOT_HEADER = 16;
    private static final byte[] FORMAT_KEY = "format".getBytes(UTF_8);
    private static final byte[] LOG_NEXT = "log-next".getBytes(UTF_8);

    /** A persistence id's entry in {@code pids}. */
    record PidEntry(long no, long deletedTo) {}

    private final Dbi<ByteBuffer> mainDb;
    private final Dbi<ByteBuffer> meta;
    private final Dbi<ByteBuffer> pids;
    private final Dbi<ByteBuffer> pidNames;
    private final Dbi<ByteBuffer> journal;
    private final Dbi<ByteBuffer> snapshots;
    private final int maxKeySize;

    /** Opens the databases of {@code env}, whose files are in {@code dir}, creating them if new, and checks their format. */
    RecordLayout(Env<ByteBuffer> env, Path dir) {
        mainDb = env.openDbi((byte[]) null);
        meta = env.openDbi("meta", MDB_CREATE);
        pids = env.openDbi("pids", MDB_CREATE);
        pidNames = env.openDbi("pid-names", MDB_CREATE);
        journal = env.openDbi("journal", MDB_CREATE);
        snapshots = env.openDbi("snapshots", MDB_CREATE);
        checkFormat(env, dir);
        maxKeySize = env.getMaxKeySize();
    }

    private void checkFormat(Env<ByteBuffer> env, Path dir) {
        ByteBuffer key = direct(FORMAT_KEY);
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            ByteBuffer found = meta.get(txn, key);
            if (found == null) {
                meta.put(txn, key, ByteBuffer.allocateDirect(4).putInt(0, FORMAT));
            } else if (found.getInt(0) != FORMAT) {
                throw new JournalException("the journal in %s has storage format %d; this vnetd reads format %d"
                        .formatted(dir, found.getInt(0), FORMAT));
            }
            txn.commit();
        }
    }

    Dbi<ByteBuffer> pids() {
        return pids;
    }

    Dbi<ByteBuffer> journal() {
        return journal;
    }

    Dbi<ByteBuffer> snapshots() {
        return snapshots;
    }

    /** The longest persistence id, in UTF-8 bytes, that can be a key of {@code pids}. */
    int maxKeySize() {
        return maxKeySize;
    }

    /** Rejects ids LMDB cannot use as a key. */
    void checkPersistenceId(String persistenceId) {
        if (persistenceId.isEmpty()) {
            throw new IllegalArgumentException("empty persistence id");
        }
        if (persistenceId.getBytes(UTF_8).length > maxKeySize) {
            throw new IllegalArgumentException("persistence id longer than " + maxKeySize + " bytes: "
                    + persistenceId.substring(0, 64) + "...");
        }
    }

    // ---- meta --------------------------------------------------------------------------------------------------

    /** The sequence of the first log group LMDB does not hold: 1 before anything was logged. */
    long logNext(Txn<ByteBuffer> txn) {
        ByteBuffer found = meta.get(txn, direct(LOG_NEXT));
        return found == null ? 1 : found.getLong(0);
    }

    void putLogNext(Txn<ByteBuffer> txn, long sequence) {
        meta.put(txn, direct(LOG_NEXT), ByteBuffer.allocateDirect(8).putLong(0, sequence));
    }

    /** The pages LMDB's trees use: the two meta pages, the main tree and the five databases. */
    long usedPages(Txn<ByteBuffer> txn) {
        long used = 2 + pages(mainDb.stat(txn));
        for (Dbi<ByteBuffer> db : List.of(meta, pids, pidNames, journal, snapshots)) {
            used += pages(db.stat(txn));
        }
        return used;
    }

    private static long pages(Stat stat) {
        return stat.branchPages + stat.leafPages + stat.overflowPages;
    }

    // ---- persistence ids ---------------------------------------------------------------------------------------

    PidEntry lookup(Txn<ByteBuffer> txn, String persistenceId) {
        return lookup(txn, persistenceId, null);
    }

    /** With {@code nameBuffer} (the caller's, of {@link #maxKeySize} bytes) for the key, or a new one if null. */
    PidEntry lookup(Txn<ByteBuffer> txn, String persistenceId, ByteBuffer nameBuffer) {
        byte[] name = persistenceId.getBytes(UTF_8);
        if (name.length == 0 || name.length > maxKeySize) {
            return null;
        }
        return pidEntry(txn, nameBuffer == null ? direct(name) : nameBuffer.clear().put(name).flip());
    }

    PidEntry pidEntry(Txn<ByteBuffer> txn, ByteBuffer name) {
        ByteBuffer v = pids.get(txn, name);
        return v == null ? null : new PidEntry(v.getLong(0), v.getLong(8));
    }

    /** The persistence id numbered {@code no}, or null if none is. */
    String pidName(Txn<ByteBuffer> txn, long no) {
        ByteBuffer name = pidNames.get(txn, ByteBuffer.allocateDirect(8).putLong(0, no));
        return name == null ? null : UTF_8.decode(name).toString();
    }

    /**
     * Numbers the persistence id {@code name}, which has no number yet: one more than the highest given. The buffers
     * are the caller's, of 8 and 16 bytes.
     */
    long newPidNo(Txn<ByteBuffer> txn, ByteBuffer name, ByteBuffer noBuffer, ByteBuffer entryBuffer) {
        long no;
        try (Cursor<ByteBuffer> c = pidNames.openCursor(txn)) {
            no = c.last() ? pidNoOf(c.key()) + 1 : 1;
        }
        pids.put(txn, name, entryBuffer.putLong(0, no).putLong(8, 0));
        pidNames.put(txn, noBuffer.putLong(0, no), name);
        return no;
    }

    /** Records that the id's events up to {@code deletedTo} are deleted; {@code entryBuffer} is the caller's, of 16 bytes. */
    void putDeletedTo(Txn<ByteBuffer> txn, ByteBuffer name, long pidNo, long deletedTo, ByteBuffer entryBuffer) {
        pids.put(txn, name, entryBuffer.putLong(0, pidNo).putLong(8, deletedTo));
    }

    // ---- records -----------------------------------------------------------------------------------------------

    /** Stores the event under {@code key}; throws {@link Dbi.KeyExistsException} if a record is there already. */
    void putEvent(Txn<ByteBuffer> txn, ByteBuffer key, StoredEvent e) {
        encodeEvent(key, journal.reserve(txn, key, eventSize(e), MDB_NOOVERWRITE), e);
    }

    /** Stores the snapshot under {@code key}, over any there. */
    void putSnapshot(Txn<ByteBuffer> txn, ByteBuffer key, StoredSnapshot s) {
        encodeSnapshot(key, snapshots.reserve(txn, key, snapshotSize(s)), s);
    }

    /** Writes a record key, {@code pidNo} then {@code sequenceNr}, into the first 16 bytes of {@code buffer}. */
    static ByteBuffer key(ByteBuffer buffer, long pidNo, long sequenceNr) {
        return buffer.putLong(0, pidNo).putLong(8, sequenceNr);
    }

    static long pidNoOf(ByteBuffer key) {
        return key.getLong(0);
    }

    static long sequenceNrOf(ByteBuffer key) {
        return key.getLong(8);
    }

    static int eventSize(StoredEvent e) {
        return EVENT_HEADER + e.bytes().length;
    }

    /** Fills {@code value}, of {@link #eventSize} bytes, with the event stored under {@code key}. */
    static void encodeEvent(ByteBuffer key, ByteBuffer value, StoredEvent e) {
        value.putInt(4, e.serializerId()).put(EVENT_HEADER, e.bytes());
        value.putInt(0, checksum(key, value));
    }

    static StoredEvent decodeEvent(String persistenceId, ByteBuffer key, ByteBuffer value) {
        byte[] bytes = checkedBytes(JournalCorruptException.EVENT, persistenceId, key, value, EVENT_HEADER);
        return new StoredEvent(persistenceId, sequenceNrOf(key), value.getInt(4), bytes);
    }

    static int snapshotSize(StoredSnapshot s) {
        return SNAPSHOT_HEADER + s.bytes().length;
    }

    /** Fills {@code value}, of {@link #snapshotSize} bytes, with the snapshot stored under {@code key}. */
    static void encodeSnapshot(ByteBuffer key, ByteBuffer value, StoredSnapshot s) {
        value.putInt(4, s.serializerId()).putLong(8, s.timestamp()).put(SNAPSHOT_HEADER, s.bytes());
        value.putInt(0, checksum(key, value));
    }

    static StoredSnapshot decodeSnapshot(String persistenceId, ByteBuffer key, ByteBuffer value) {
        byte[] bytes = checkedBytes(JournalCorruptException.SNAPSHOT, persistenceId, key, value, SNAPSHOT_HEADER);
        return new StoredSnapshot(persistenceId, sequenceNrOf(key), snapshotTimestamp(value), value.getInt(4), bytes);
    }

    /** The timestamp of a stored snapshot, read without decoding (or checking) the rest. */
    static long snapshotTimestamp(ByteBuffer value) {
        return value.getLong(8);
    }

    /** The bytes after the value's header, once the checksum shows the record whole: before its header is read. */
    private static byte[] checkedBytes(String kind, String persistenceId, ByteBuffer key, ByteBuffer value, int header) {
        if (value.remaining() < header || value.getInt(0) != checksum(key, value)) {
            throw new JournalCorruptException(kind, persistenceId, sequenceNrOf(key), "failed its checksum", null);
        }
        byte[] bytes = new byte[value.remaining() - header];
        value.get(header, bytes);
        return bytes;
    }

    /** CRC32C of the key and of the value after its checksum field. */
    private static int checksum(ByteBuffer key, ByteBuffer value) {
        CRC32C crc = new CRC32C();
        crc.update(key.duplicate());
        crc.update(value.duplicate().position(4));
        return (int) crc.getValue();
    }

    // ---- cursors over one id's records -------------------------------------------------------------------------

    /** The highest sequence number among the id's records in the cursor's database; 0 if it has none. */
    static long lastSequenceNr(Cursor<ByteBuffer> c, long pidNo, ByteBuffer keyBuffer) {
        return seekAtMost(c, key(keyBuffer, pidNo, Long.MAX_VALUE)) && pidNoOf(c.key()) == pidNo
                ? sequenceNrOf(c.key()) : 0;
    }

    /** Places the cursor on the greatest key at most {@code key}; false if there is none. */
    static boolean seekAtMost(Cursor<ByteBuffer> c, ByteBuffer key) {
        if (!c.get(key, MDB_SET_RANGE)) {
            return c.last();
        }
        return c.key().equals(key) || c.prev();
    }

    static ByteBuffer direct(byte[] bytes) {
        return ByteBuffer.allocateDirect(bytes.length).put(0, bytes);
    }
}
