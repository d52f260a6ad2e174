package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounter.Side;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounters;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The counters one side of the data plane keeps for one net client (a port's, a backend's), allocated
 * together in the {@link CounterStore} and read together: one for each {@link NetClientCounter} the
 * side counts, in definition order, then the side's own. A reader racing the owner's {@link #close}
 * gets either the values of these counters or nothing, never those of a group reused by someone else.
 */
final class CounterGroup {

    /** By side and counter ordinal: where the counter sits in a group, -1 if the side does not count it. */
    private static final int[][] INDEXES = indexes();

    private final Side side;
    private final CounterStore.Group group;
    private final Counter[] counters;
    /** Where the side's own counters start. */
    private final int ownStart;

    private CounterGroup(Side side, CounterStore.Group group) {
        this.side = side;
        this.group = group;
        this.counters = new Counter[group.length()];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = group.counter(i);
        }
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

    /** Allocates the counters {@code side} keeps for one net client, then {@code own} of the side's own. */
    static CounterGroup allocate(CounterStore store, Side side, int own) {
        return new CounterGroup(side, store.allocate(length(side, own)));
    }

    /** @throws IllegalArgumentException if this group's side does not count {@code counter} */
    Counter get(NetClientCounter counter) {
        int index = INDEXES[side.ordinal()][counter.ordinal()];
        if (index < 0) {
            throw new IllegalArgumentException(counter.qmpName() + " is not counted by the " + side);
        }
        return counters[index];
    }

    /** The {@code index}-th of the side's own counters. */
    Counter own(int index) {
        return counters[ownStart + index];
    }

    /**
     * Reads every counter. Any thread.
     *
     * @return the values, or nothing if the group was freed meanwhile
     */
    Optional<Reading> read() {
        long[] values = new long[counters.length];
        if (!group.read(values)) {
            return Optional.empty();
        }
        int[] indexes = INDEXES[side.ordinal()];
        NetClientCounters client = NetClientCounters.of(counter -> {
            int index = indexes[counter.ordinal()];
            return index < 0 ? 0 : values[index];
        });
        return Optional.of(new Reading(client, Arrays.copyOfRange(values, ownStart, counters.length)));
    }

    /** Frees the counters; nothing if they were freed already. */
    void close() {
        group.close();
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
