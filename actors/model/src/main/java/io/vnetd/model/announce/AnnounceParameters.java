package io.vnetd.model.announce;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;
import java.util.List;
import java.util.Optional;

/**
 * QAPI's {@code AnnounceParameters}: how many rounds of self-announcement, and their spacing.
 *
 * @param initial    ms before the second round (the first is sent at once)
 * @param max        ms, the longest delay between rounds
 * @param rounds     how many rounds; 0 cancels the timer
 * @param step       ms added to the delay after each round
 * @param interfaces only the NICs of these names, when given
 * @param id         a named timer that a later announce-self with the same id replaces
 */
public record AnnounceParameters(long initial, long max, long rounds, long step,
                                 Optional<List<String>> interfaces, Optional<String> id) implements JsonSerializable {

    /**
     * The delay after a round, when {@code remaining} rounds are still to be sent: QEMU's
     * {@code initial + (rounds - remaining - 1) * step}, capped at {@code max}.
     */
    public long delayBefore(long remaining) {
        long delay;
        try {
            delay = Math.addExact(initial, Math.multiplyExact(rounds - remaining - 1, step));
        } catch (ArithmeticException overflow) {
            return max;
        }
        return delay < 0 || delay > max ? max : delay;
    }

    /**
     * QEMU accepts negative values and then announces without end (rounds) or without pause; vnetd
     * journals every round, so it refuses them.
     */
    public void requireNonNegative() {
        requireNonNegative("initial", initial);
        requireNonNegative("max", max);
        requireNonNegative("rounds", rounds);
        requireNonNegative("step", step);
    }

    private static void requireNonNegative(String member, long value) {
        if (value < 0) {
            throw NetException.generic("Parameter '" + member + "' expects a non-negative value");
        }
    }

    /** Whether a NIC of this name takes part. */
    public boolean selects(String nic) {
        return interfaces.map(names -> names.contains(nic)).orElse(true);
    }
}
