package io.vnetd.dataplane.counters;

import java.util.function.Consumer;
import java.util.function.IntFunction;
import java.util.function.IntUnaryOperator;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * Counters allocated together under one registration id (a port's, a backend's) and read together:
 * a reader racing the owner's {@link #close} gets either the values of these counters or nothing,
 * never those of a counter reused by someone else.
 */
final class CounterGroup {

    private final long registrationId;
    private final AtomicCounter[] counters;

    private CounterGroup(long registrationId, AtomicCounter[] counters) {
        this.registrationId = registrationId;
        this.counters = counters;
    }

    /**
     * Allocates {@code count} counters in {@code manager}, the i-th with label {@code label(i)}, type
     * id {@code typeId(i)}, and the key {@code key} writes.
     *
     * @throws IllegalStateException when the buffer has no room (nothing stays allocated then)
     */
    static CounterGroup allocate(CountersManager manager, long registrationId, int count, IntFunction<String> label,
                                 IntUnaryOperator typeId, Consumer<MutableDirectBuffer> key) {
        AtomicCounter[] counters = new AtomicCounter[count];
        CounterGroup group = new CounterGroup(registrationId, counters);
        try {
            for (int i = 0; i < count; i++) {
                AtomicCounter counter = manager.newCounter(label.apply(i), typeId.applyAsInt(i), key);
                manager.setCounterRegistrationId(counter.id(), registrationId);
                counters[i] = counter;
            }
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    AtomicCounter get(int index) {
        return counters[index];
    }

    /**
     * Reads every counter into {@code values}, then checks that all were still this group's while
     * they were read. Any thread.
     *
     * @return false if the group was freed meanwhile ({@code values} then means nothing)
     */
    boolean read(long[] values, CountersReader reader) {
        for (int i = 0; i < counters.length; i++) {
            values[i] = counters[i].get();
        }
        for (AtomicCounter counter : counters) {
            if (reader.getCounterState(counter.id()) != CountersReader.RECORD_ALLOCATED
                    || reader.getCounterRegistrationId(counter.id()) != registrationId) {
                return false;
            }
        }
        return true;
    }

    /** Frees the counters; those freed already are left alone. */
    void close() {
        for (AtomicCounter counter : counters) {
            if (counter != null && !counter.isClosed()) {
                counter.close();
            }
        }
    }
}
