package io.vnetd.dataplane.counters;

import org.agrona.concurrent.AtomicBuffer;

/**
 * One 64-bit counter in a {@link CounterStore}: written by one thread (the agent that owns it), read by
 * any. Writes are plain read-modify-writes published with release order, as Aeron's counters are: no
 * atomic instruction on the packet path.
 */
public final class Counter {

    private final AtomicBuffer buffer;
    private final int offset;

    Counter(AtomicBuffer buffer, int offset) {
        this.buffer = buffer;
        this.offset = offset;
    }

    /** Adds one. The owning thread only. */
    public void incrementRelease() {
        buffer.putLongRelease(offset, buffer.getLong(offset) + 1);
    }

    /** Adds {@code increment} and returns the value before. The owning thread only. */
    public long getAndAddRelease(long increment) {
        long value = buffer.getLong(offset);
        buffer.putLongRelease(offset, value + increment);
        return value;
    }

    /** Adds one, atomically: for a counter that several threads write. */
    public void increment() {
        buffer.getAndAddLong(offset, 1);
    }

    /** The latest value. Any thread. */
    public long get() {
        return buffer.getLongVolatile(offset);
    }
}
