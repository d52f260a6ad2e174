package io.vnetd.dataplane.counters;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CounterStoreTest {

    @Test
    void groupsCountAndReadIndependently() {
        CounterStore store = new CounterStore();
        CounterStore.Group first = store.allocate(3);
        CounterStore.Group second = store.allocate(2);

        first.counter(0).incrementRelease();
        first.counter(2).getAndAddRelease(40);
        second.counter(1).increment();

        long[] values = new long[3];
        assertTrue(first.read(values));
        assertArrayEquals(new long[] {1, 0, 40}, values);
        long[] others = new long[2];
        assertTrue(second.read(others));
        assertArrayEquals(new long[] {0, 1}, others);
    }

    @Test
    void aFreedGroupReadsAsGoneAndItsSpaceComesBackZeroedUnderANewOwner() {
        CounterStore store = new CounterStore();
        CounterStore.Group old = store.allocate(4);
        old.counter(1).getAndAddRelease(7);
        old.close();
        old.close();

        CounterStore.Group reused = store.allocate(4);

        assertFalse(old.read(new long[4]), "the old owner must not read the new owner's counters");
        long[] values = new long[4];
        assertTrue(reused.read(values));
        assertArrayEquals(new long[4], values);
        assertEquals(CounterStore.CHUNK_LENGTH, store.capacityBytes());
    }

    @Test
    void theStoreStartsWithNothingAndGrowsAChunkAtATime() {
        CounterStore store = new CounterStore();
        assertEquals(0, store.capacityBytes());

        List<CounterStore.Group> groups = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            groups.add(store.allocate(9));
        }
        // Nine counters and the registration id take two cache lines.
        assertEquals(10_000 * 128 / CounterStore.CHUNK_LENGTH + 1, store.capacityBytes() / CounterStore.CHUNK_LENGTH);

        groups.forEach(CounterStore.Group::close);
        long held = store.capacityBytes();
        for (int i = 0; i < 10_000; i++) {
            store.allocate(9);
        }
        assertEquals(held, store.capacityBytes(), "freed groups are reused before the store grows");
    }

    @Test
    void aGroupHoldsAtLeastOneCounterAndNoMoreThanAChunk() {
        CounterStore store = new CounterStore();
        assertThrows(IllegalArgumentException.class, () -> store.allocate(0));
        assertThrows(IllegalArgumentException.class, () -> store.allocate(CounterStore.CHUNK_LENGTH / 8));
        assertThrows(IndexOutOfBoundsException.class, () -> store.allocate(2).counter(2));
    }
}
