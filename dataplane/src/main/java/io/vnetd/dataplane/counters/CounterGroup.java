package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounter.Side;
import io.vnetd.model.netclient.NetClientCounters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The counters one side of the data plane keeps for one net client (a port's, a backend's), allocated
 * together under one registration id and read together: one for each {@link NetClientCounter} the side
 * counts, in definition order, then the side's own. A reader racing the owner's {@link #close} gets
 * either the values of these counters or nothing, never those of a counter reused by someone else.
 */
final class CounterGroup {

    /** By side and counter ordinal: where the counter sits in a group, -1 if the side does not count it. */
    private static final int[][] INDEXES = indexes();

    private final Side side;
    private final long registrationId;
    private final AtomicCounter[] counters;
    /** Where the side's own counters start. */
    private final int ownStart;

    private CounterGroup(Side side, long registrationId, AtomicCounter[] counters) {
        this.side = side;
        this.registrationId = registrationId;
        this.counters = counters;
        this.ownStart = side.counters().size();
    }

    private static int[][] indexes() {
        int[][] indexes = new int[Side.values().length][NetClientCounter.values().length];
        for (Side side : Side.values()) {
            Arrays.fill(indexes[side.ordinal()], -1);
            List<NetClientCounter> counted = side.counters();
            for (int i = 0; i < counted.size(); i++) {
                indexes[side.ordinal()][counted.get(i).ordinal()] = i;
            }
        }
        return indexes;
    }

    /** How many counters a group of {@code side} holds, with {@code own} counters of its own. */
    static int length(Side side, int own) {
        return side.counters().size() + own;
    }

    /**
     * Allocates the counters {@code side} keeps for {@code owner} in {@code manager}, then one for each of
     * {@code own}; each labelled with the owner and what it counts.
     *
     * @throws IllegalStateException when the buffer has no room (nothing stays allocated then)
     */
    static CounterGroup allocate(CountersManager manager, long registrationId, Side side, String owner,
                                 List<String> own) {
        List<String> labels = new ArrayList<>();
        side.counters().forEach(counter -> labels.add(owner + ": " + counter.qmpName()));
        own.forEach(counter -> labels.add(owner + ": " + counter));
        AtomicCounter[] counters = new AtomicCounter[labels.size()];
        CounterGroup group = new CounterGroup(side, registrationId, counters);
        try {
            for (int i = 0; i < counters.length; i++) {
                AtomicCounter counter = manager.newCounter(labels.get(i));
                manager.setCounterRegistrationId(counter.id(), registrationId);
                counters[i] = counter;
            }
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        return group;
    }

    /** @throws IllegalArgumentException if this group's side does not count {@code counter} */
    AtomicCounter get(NetClientCounter counter) {
        int index = INDEXES[side.ordinal()][counter.ordinal()];
        if (index < 0) {
            throw new IllegalArgumentException(counter.qmpName() + " is not counted by the " + side);
        }
        return counters[index];
    }

    /** The {@code index}-th of the side's own counters. */
    AtomicCounter own(int index) {
        return counters[ownStart + index];
    }

    /**
     * Reads every counter, then checks that all were still this group's while they were read. Any thread.
     *
     * @return the values, or nothing if the group was freed meanwhile
     */
    Optional<Reading> read(CountersReader reader) {
        long[] values = new long[counters.length];
        for (int i = 0; i < counters.length; i++) {
            values[i] = counters[i].get();
        }
        for (AtomicCounter counter : counters) {
            if (reader.getCounterState(counter.id()) != CountersReader.RECORD_ALLOCATED
                    || reader.getCounterRegistrationId(counter.id()) != registrationId) {
                return Optional.empty();
            }
        }
        int[] indexes = INDEXES[side.ordinal()];
        NetClientCounters client = NetClientCounters.of(counter -> {
            int index = indexes[counter.ordinal()];
            return index < 0 ? 0 : values[index];
        });
        return Optional.of(new Reading(client, Arrays.copyOfRange(values, ownStart, counters.length)));
    }

    /** Frees the counters; those freed already are left alone. */
    void close() {
        for (AtomicCounter counter : counters) {
            if (counter != null && !counter.isClosed()) {
                counter.close();
            }
        }
    }

    /**
     * A group's values at one moment.
     *
     * @param client the net client counters the side counts (the others 0)
     * @param own    the side's own counters, in the order allocated
     */
    record Reading(NetClientCounters client, long[] own) {
    }
}
