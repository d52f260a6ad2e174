package io.vnetd.dataplane.counters;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.LongArrayQueue;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The data plane's counters: 64-bit values in off-heap chunks that are added as ports open, so an empty
 * node holds one chunk and a node of 100,000 ports needs no setting. Counters are allocated in groups
 * (one per port, one per backend); a group starts with its registration id and takes whole cache lines,
 * so the groups of ports served by different threads never share one.
 *
 * <p>A freed group's space goes to a free list of its size and is reused; a reader racing the free sees
 * the registration id change and discards what it read ({@link Group#read}). Allocation and freeing
 * take the store's lock (they happen when a port opens or closes, never per frame); counting and
 * reading do not.
 */
public final class CounterStore {

    /** Bytes of each chunk: 512 port groups. */
    static final int CHUNK_LENGTH = 64 * 1024;

    private static final int WORD = Long.BYTES;
    private static final int ALIGNMENT = BitUtil.CACHE_LINE_LENGTH;

    private final List<AtomicBuffer> chunks = new ArrayList<>();
    /** Free groups by length in bytes, each as chunk index << 32 | offset. */
    private final Int2ObjectHashMap<LongArrayQueue> free = new Int2ObjectHashMap<>();
    private final AtomicLong registrationIds = new AtomicLong();
    private int used = CHUNK_LENGTH;

    /**
     * Allocates a group of {@code length} counters, each 0.
     *
     * @throws IllegalArgumentException if {@code length} is not within 1..(one chunk)
     */
    public synchronized Group allocate(int length) {
        int bytes = BitUtil.align((length + 1) * WORD, ALIGNMENT);
        if (length < 1 || bytes > CHUNK_LENGTH) {
            throw new IllegalArgumentException("a counter group holds 1.." + (CHUNK_LENGTH / WORD - 1)
                    + " counters, not " + length);
        }
        LongArrayQueue reusable = free.get(bytes);
        AtomicBuffer chunk;
        int offset;
        if (reusable != null && !reusable.isEmpty()) {
            long place = reusable.pollLong();
            chunk = chunks.get((int) (place >>> 32));
            offset = (int) place;
        } else {
            if (used + bytes > CHUNK_LENGTH) {
                chunks.add(new UnsafeBuffer(BufferUtil.allocateDirectAligned(CHUNK_LENGTH, ALIGNMENT)));
                used = 0;
            }
            chunk = chunks.getLast();
            offset = used;
            used += bytes;
        }
        long registrationId = registrationIds.incrementAndGet();
        chunk.putLongVolatile(offset, registrationId);
        return new Group(this, chunks.size() - 1 == chunks.indexOf(chunk) ? chunks.size() - 1 : chunks.indexOf(chunk),
                chunk, offset, length, registrationId);
    }

    /** Bytes of counter memory held (allocated chunks), for tests and sizing. */
    public synchronized long capacityBytes() {
        return (long) chunks.size() * CHUNK_LENGTH;
    }

    private synchronized void free(Group group) {
        AtomicBuffer chunk = group.chunk;
        // The id goes first: a reader that sees a zeroed value then sees the id changed.
        chunk.putLongVolatile(group.offset, 0);
        for (int i = 1; i <= group.length; i++) {
            chunk.putLongVolatile(group.offset + i * WORD, 0);
        }
        int bytes = BitUtil.align((group.length + 1) * WORD, ALIGNMENT);
        free.computeIfAbsent(bytes, unused -> new LongArrayQueue()).addLong((long) group.chunkIndex << 32 | group.offset);
    }

    /** A group of counters: allocated together, read together, freed together. */
    public static final class Group {
        private final CounterStore store;
        private final int chunkIndex;
        private final AtomicBuffer chunk;
        private final int offset;
        private final int length;
        private final long registrationId;
        private boolean closed;

        private Group(CounterStore store, int chunkIndex, AtomicBuffer chunk, int offset, int length,
                      long registrationId) {
            this.store = store;
            this.chunkIndex = chunkIndex;
            this.chunk = chunk;
            this.offset = offset;
            this.length = length;
            this.registrationId = registrationId;
        }

        public int length() {
            return length;
        }

        /** The {@code index}-th counter of the group. */
        public Counter counter(int index) {
            if (index < 0 || index >= length) {
                throw new IndexOutOfBoundsException("counter " + index + " of a group of " + length);
            }
            return new Counter(chunk, offset + (index + 1) * WORD);
        }

        /**
         * Reads every counter into {@code values}. Any thread.
         *
         * @return false, and {@code values} meaningless, if the group was freed meanwhile
         */
        public boolean read(long[] values) {
            for (int i = 0; i < length; i++) {
                values[i] = chunk.getLongVolatile(offset + (i + 1) * WORD);
            }
            return chunk.getLongVolatile(offset) == registrationId;
        }

        /** Frees the group's space for reuse; nothing if it was freed already. The owner only. */
        public void close() {
            synchronized (store) {
                if (!closed) {
                    closed = true;
                    store.free(this);
                }
            }
        }
    }
}
