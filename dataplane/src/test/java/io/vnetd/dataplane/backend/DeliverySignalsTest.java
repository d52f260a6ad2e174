package io.vnetd.dataplane.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The I/O agent learns which backends the switch delivered to, each once, however the raising and taking interleave. */
class DeliverySignalsTest {

    @Test
    void eachRaisedSlotIsTakenOnceAndOnlyThen() {
        DeliverySignals signals = new DeliverySignals(10_000);
        List<Runnable> raise = new ArrayList<>();
        for (int slot = 0; slot < 10_000; slot++) {
            raise.add(signals.signalOf(slot));
        }
        assertFalse(signals.anyRaised());

        raise.get(0).run();
        raise.get(63).run();
        raise.get(64).run();
        raise.get(4096).run();
        raise.get(9_999).run();
        raise.get(64).run();
        List<Integer> taken = new ArrayList<>();
        assertTrue(signals.anyRaised());
        signals.take(taken::add);

        assertEquals(List.of(0, 63, 64, 4096, 9_999), taken);
        assertFalse(signals.anyRaised());
        signals.take(slot -> {
            throw new AssertionError("slot " + slot + " taken twice");
        });
    }

    @Test
    void noSlotRaisedOnAnotherThreadIsLost() throws InterruptedException {
        int slots = 5_000;
        DeliverySignals signals = new DeliverySignals(slots);
        List<Runnable> raise = new ArrayList<>();
        for (int slot = 0; slot < slots; slot++) {
            raise.add(signals.signalOf(slot));
        }
        Thread switching = Thread.ofPlatform().start(() -> raise.forEach(Runnable::run));
        TreeSet<Integer> taken = new TreeSet<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((switching.isAlive() || signals.anyRaised()) && System.nanoTime() < deadline) {
            signals.take(slot -> assertTrue(taken.add(slot), "slot " + slot + " taken twice"));
        }
        switching.join(TimeUnit.SECONDS.toMillis(10));

        assertEquals(slots, taken.size());
    }
}
