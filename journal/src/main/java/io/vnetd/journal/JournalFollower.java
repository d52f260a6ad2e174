package io.vnetd.journal;

import static io.vnetd.journal.RecordLayout.key;
import static io.vnetd.journal.RecordLayout.pidNoOf;
import static io.vnetd.journal.RecordLayout.sequenceNrOf;
import static java.nio.charset.StandardCharsets.UTF_8;
import static java.nio.file.StandardOpenOption.READ;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.LmdbException;
import org.lmdbjava.Txn;

/**
 * Reads the LMDB journal of a store that a running node has open, without taking its lock and without writing
 * anything the node owns: every event LMDB holds, then each event the node logs afterwards, as it logs it.
 *
 * <p>How it stays out of the node's way:
 * <ul>
 * <li>LMDB is opened read-only ({@code MDB_RDONLY}), with LMDB's own locking kept (not {@code MDB_NOLOCK}): the
 *     follower takes a slot in the readers' table of {@code lock.mdb}, as any LMDB reader of another process does, so
 *     the node's checkpoints never reuse pages its read transaction still sees. Each read is one short transaction.
 * <li>The follower maps as much of the file as the node does (the map size the node records in LMDB's meta page),
 *     not lmdbjava's 1 MiB default: a map smaller than what the node has written makes every read transaction fail
 *     with {@code MDB_MAP_RESIZED}. If the node is restarted with a larger map and writes past the follower's, the
 *     follower adopts the new size the same way and reads again.
 * <li>The store's lock ({@code wal/lock}) and the data directory's lock stay the node's: the follower never opens the
 *     store through {@link StoreRegistry}, never replays the log into LMDB and never cuts it.
 * <li>Events newer than LMDB's last checkpoint are only in the write-ahead log, so the follower reads the log's
 *     segments as plain files, from the group LMDB does not hold ({@code log-next}) on. A record half written reads
 *     as a bad checksum and is read again at the next poll. A segment the node deletes after a checkpoint stays
 *     readable through the follower's open file; if the node cut the log past a segment the follower had not opened
 *     yet, the follower reads LMDB again (which then holds those groups) and goes on, printing nothing twice.
 * </ul>
 * Writes that are not appends (deletions, snapshots) are not events and are skipped.
 */
public final class JournalFollower implements AutoCloseable {

    /** Times in a row the log may be cut past the follower before it gives up (each time it reads LMDB again). */
    private static final int MAX_CATCH_UPS = 100;

    private final Path dir;
    private final Path walDir;
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> meta;
    private final Dbi<ByteBuffer> pidNames;
    private final Dbi<ByteBuffer> journal;
    /** The highest sequence number passed on, by persistence id, but for the id being passed on now. */
    private final Map<String, Long> passed = new HashMap<>();
    /**
     * The id whose events are being passed on, and its highest sequence number passed on: events come in runs of one
     * id, so most are checked against these fields rather than the map.
     */
    private String passingId;
    private long passingLast;

    private FileChannel segment;
    private long segmentNo;
    private long offset;

    private JournalFollower(Path dir, Env<ByteBuffer> env) {
        this.dir = dir;
        this.walDir = WriteAheadLog.directory(dir);
        this.env = env;
        this.meta = env.openDbi("meta");
        this.pidNames = env.openDbi("pid-names");
        this.journal = env.openDbi("journal");
    }

    /**
     * Opens the journal in {@code dir} (a node's {@code DATA-DIR/journal}) for reading, whether a node has it open
     * or not.
     *
     * @throws JournalException if there is no LMDB journal there
     */
    public static JournalFollower open(Path dir) {
        if (!Files.isRegularFile(dir.resolve("data.mdb"))) {
            throw new JournalException("no LMDB journal in " + dir);
        }
        LmdbNativeLibrary.prepare();
        try {
            Env<ByteBuffer> env = Env.create().setMaxDbs(5).open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV, EnvFlags.MDB_NOTLS);
            env.setMapSize(0); // 0: the size the node's last commit recorded
            return new JournalFollower(dir, env);
        } catch (LmdbException e) {
            throw new JournalException("cannot read the LMDB journal in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Passes every event to {@code sink} (those of one persistence id in sequence order), then each new one as the
     * node logs it, polling every {@code poll}, for as long as {@code going} says.
     */
    public void follow(Consumer<StoredEvent> sink, Duration poll, BooleanSupplier going) {
        long next = readLmdb(sink);
        int catchUps = 0;
        while (going.getAsBoolean()) {
            long before = next;
            long read = tail(next, sink);
            if (read < 0) {
                if (++catchUps > MAX_CATCH_UPS) {
                    throw new JournalException("the journal log in " + walDir + " is cut faster than it can be followed");
                }
                closeSegment();
                next = readLmdb(sink);
                continue;
            }
            catchUps = 0;
            next = read;
            if (next == before) {
                try {
                    Thread.sleep(poll.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Passes on LMDB's events not passed on yet, in one read transaction; returns the first log group it lacks. */
    private long readLmdb(Consumer<StoredEvent> sink) {
        try (Txn<ByteBuffer> txn = readTransaction(); Cursor<ByteBuffer> c = journal.openCursor(txn)) {
            ByteBuffer found = meta.get(txn, RecordLayout.direct("log-next".getBytes(UTF_8)));
            long logNext = found == null ? 1 : found.getLong(0);
            // An id's records are adjacent (keys start with its number): its name is looked up once, at its first.
            long pidNo = -1;
            String pid = null;
            boolean more = c.get(key(ByteBuffer.allocateDirect(16), 0, 0), MDB_SET_RANGE);
            for (; more; more = c.next()) {
                long no = pidNoOf(c.key());
                if (no != pidNo) {
                    pidNo = no;
                    pid = name(txn, no);
                }
                if (pid == null) {
                    throw new JournalCorruptException(JournalCorruptException.EVENT, "<pid number " + no + ">",
                            sequenceNrOf(c.key()), "belongs to no persistence id", null);
                }
                pass(RecordLayout.decodeEvent(pid, c.key(), c.val()), sink);
            }
            return logNext;
        }
    }

    /** A read transaction, after adopting the node's larger map if it has written past the follower's. */
    private Txn<ByteBuffer> readTransaction() {
        try {
            return env.txnRead();
        } catch (Dbi.MapResizedException e) {
            env.setMapSize(0);
            return env.txnRead();
        }
    }

    private String name(Txn<ByteBuffer> txn, long no) {
        ByteBuffer name = pidNames.get(txn, ByteBuffer.allocateDirect(8).putLong(0, no));
        return name == null ? null : UTF_8.decode(name).toString();
    }

    private void pass(StoredEvent event, Consumer<StoredEvent> sink) {
        if (!event.persistenceId().equals(passingId)) {
            if (passingId != null) {
                passed.put(passingId, passingLast);
            }
            passingId = event.persistenceId();
            passingLast = passed.getOrDefault(passingId, 0L);
        }
        if (event.sequenceNr() > passingLast) {
            passingLast = event.sequenceNr();
            sink.accept(event);
        }
    }

    /**
     * Passes on the log's complete records from group {@code next} on; returns the group after the last one read,
     * or -1 if group {@code next} is no longer in the log.
     */
    private long tail(long next, Consumer<StoredEvent> sink) {
        try {
            if (segment == null) {
                switch (openSegmentHolding(next)) {
                    case OPENED -> {
                    }
                    case NONE -> {
                        return next;
                    }
                    case CUT -> {
                        return -1;
                    }
                }
            }
            ByteBuffer header = ByteBuffer.allocate(WriteAheadLog.HEADER);
            while (true) {
                header.clear();
                if (segment.read(header, offset) < WriteAheadLog.HEADER || header.getInt(0) == 0) {
                    if (!nextSegmentStarted()) {
                        return next;
                    }
                    continue;
                }
                int length = header.getInt(0);
                ByteBuffer record = ByteBuffer.allocate(WriteAheadLog.HEADER + length);
                if (length < 0 || segment.read(record, offset) < record.capacity()
                        || record.getInt(4) != WriteAheadLog.checksum(record, 0, length)) {
                    return next; // still being written: read again at the next poll
                }
                long sequence = record.getLong(8);
                if (sequence > next) {
                    return -1;
                }
                if (sequence == next) {
                    for (StoreWrite write : WriteAheadLog.decode(record.slice(WriteAheadLog.HEADER, length))) {
                        if (write instanceof StoreWrite.Append append) {
                            append.events().forEach(event -> pass(event, sink));
                        }
                    }
                    next++;
                }
                offset += record.capacity();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the journal log in " + walDir, e);
        }
    }

    /** What looking for the segment that holds a group found. */
    private enum Found { OPENED, NONE, CUT }

    /**
     * Opens the last segment whose first group is at most {@code next}: {@link Found#CUT} if every segment starts
     * after it, {@link Found#NONE} if no segment holds a record (a stopped node's log, cut at its last checkpoint).
     */
    private Found openSegmentHolding(long next) throws IOException {
        List<Path> segments = WriteAheadLog.segments(walDir);
        boolean later = false;
        for (int i = segments.size() - 1; i >= 0; i--) {
            FileChannel channel;
            try {
                channel = FileChannel.open(segments.get(i), READ);
            } catch (NoSuchFileException e) {
                continue; // cut meanwhile
            }
            ByteBuffer header = ByteBuffer.allocate(WriteAheadLog.HEADER);
            // A segment without records yet (just rolled to) may follow one that holds the group.
            boolean empty = channel.read(header, 0) < WriteAheadLog.HEADER || header.getInt(0) == 0;
            if (!empty && header.getLong(8) <= next) {
                segment = channel;
                segmentNo = WriteAheadLog.number(segments.get(i));
                offset = 0;
                return Found.OPENED;
            }
            later |= !empty;
            channel.close();
        }
        return later ? Found.CUT : Found.NONE;
    }

    /** Moves to the next segment if the node has started writing it; false if the current one may still grow. */
    private boolean nextSegmentStarted() throws IOException {
        Path following = WriteAheadLog.segmentPath(walDir, segmentNo + 1);
        FileChannel channel;
        try {
            channel = FileChannel.open(following, READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        ByteBuffer first = ByteBuffer.allocate(Integer.BYTES);
        if (channel.read(first, 0) < Integer.BYTES || first.getInt(0) == 0) {
            channel.close();
            return false;
        }
        closeSegment();
        segment = channel;
        segmentNo++;
        offset = 0;
        return true;
    }

    private void closeSegment() {
        if (segment != null) {
            try {
                segment.close();
            } catch (IOException e) {
                // A read-only file: nothing was left unwritten.
            }
            segment = null;
        }
    }

    /** The directory read. */
    public Path directory() {
        return dir;
    }

    @Override
    public void close() {
        closeSegment();
        env.close();
    }
}
