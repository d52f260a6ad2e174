package io.vnetd.journal;

import static io.vnetd.journal.RecordLayout.key;
import static io.vnetd.journal.RecordLayout.pidNoOf;
import static io.vnetd.journal.RecordLayout.sequenceNrOf;
import static org.lmdbjava.GetOp.MDB_SET_RANGE;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import org.lmdbjava.Cursor;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.Txn;

/**
 * The verifier's full scan: every event, then every snapshot, in key order, each checksum checked. It reads LMDB
 * alone, so its caller first has a checkpoint bring LMDB up to date. It reads a bounded number of records per read
 * transaction, so a long scan of a live store does not pin old pages.
 */
final class StoreScan {

    private static final int CHUNK = 10_000; // records per read transaction

    private final Env<ByteBuffer> env;
    private final RecordLayout layout;

    StoreScan(Env<ByteBuffer> env, RecordLayout layout) {
        this.env = env;
        this.layout = layout;
    }

    void run(LmdbStore.Visitor visitor) {
        scan(layout.journal(), JournalCorruptException.EVENT,
                (pid, k, v) -> visitor.event(RecordLayout.decodeEvent(pid, k, v)), visitor);
        scan(layout.snapshots(), JournalCorruptException.SNAPSHOT,
                (pid, k, v) -> visitor.snapshot(RecordLayout.decodeSnapshot(pid, k, v)), visitor);
    }

    private interface RecordReader {
        void read(String persistenceId, ByteBuffer key, ByteBuffer value);
    }

    private void scan(Dbi<ByteBuffer> db, String kind, RecordReader reader, LmdbStore.Visitor visitor) {
        ByteBuffer from = key(ByteBuffer.allocateDirect(16), 0, 0);
        Map<Long, String> names = new HashMap<>();
        boolean more = true;
        while (more) {
            try (Txn<ByteBuffer> txn = env.txnRead(); Cursor<ByteBuffer> c = db.openCursor(txn)) {
                more = c.get(from, MDB_SET_RANGE);
                for (int n = 0; more && n < CHUNK; n++, more = c.next()) {
                    long no = pidNoOf(c.key());
                    long seq = sequenceNrOf(c.key());
                    String pid = names.computeIfAbsent(no, x -> layout.pidName(txn, x));
                    try {
                        if (pid == null) {
                            throw new JournalCorruptException(kind, "<pid number " + no + ">", seq,
                                    "belongs to no persistence id", null);
                        }
                        reader.read(pid, c.key(), c.val());
                    } catch (JournalCorruptException e) {
                        visitor.corrupt(e);
                    }
                    key(from, no, seq + 1); // where the next transaction resumes
                }
            }
        }
    }
}
