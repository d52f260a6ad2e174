package io.vnetd.dataplane.backend;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.IntConsumer;

/**
 * Which of an I/O agent's backends the switch delivered frames to since the agent last looked: a bit per backend
 * slot, raised on the switching agent's thread after a duty cycle that delivered to the backend's port and taken on
 * the I/O agent's, so that the agent moves the frames of those backends only instead of asking every backend it
 * serves each duty cycle. Bits live in chunks of {@value #SLOTS_PER_CHUNK} slots, added by the agent before it hands
 * out a signal for a slot in them, so the switch never sees an array being replaced.
 */
final class DeliverySignals {

    private static final int SLOTS_PER_CHUNK = 4096;
    private static final int WORDS_PER_CHUNK = SLOTS_PER_CHUNK / Long.SIZE;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final long[][] chunks;
    private int chunksUsed;

    /** @param maxSlots the most backends the agent may serve at once */
    DeliverySignals(int maxSlots) {
        this.chunks = new long[(maxSlots + SLOTS_PER_CHUNK - 1) / SLOTS_PER_CHUNK][];
    }

    /** What raises the bit of {@code slot}, for the switch to run. Agent thread. */
    Runnable signalOf(int slot) {
        int chunk = slot / SLOTS_PER_CHUNK;
        while (chunksUsed <= chunk) {
            chunks[chunksUsed++] = new long[WORDS_PER_CHUNK];
        }
        long[] words = chunks[chunk];
        int word = slot % SLOTS_PER_CHUNK / Long.SIZE;
        long bit = 1L << (slot % Long.SIZE);
        return () -> WORDS.getAndBitwiseOr(words, word, bit);
    }

    /** Whether some bit is raised. Agent thread. */
    boolean anyRaised() {
        for (int c = 0; c < chunksUsed; c++) {
            long[] words = chunks[c];
            for (int w = 0; w < WORDS_PER_CHUNK; w++) {
                if ((long) WORDS.getVolatile(words, w) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Lowers every raised bit, handing its slot to {@code slots}. Agent thread. */
    void take(IntConsumer slots) {
        for (int c = 0; c < chunksUsed; c++) {
            long[] words = chunks[c];
            for (int w = 0; w < WORDS_PER_CHUNK; w++) {
                if ((long) WORDS.getVolatile(words, w) != 0) {
                    long bits = (long) WORDS.getAndSet(words, w, 0L);
                    int base = c * SLOTS_PER_CHUNK + w * Long.SIZE;
                    while (bits != 0) {
                        slots.accept(base + Long.numberOfTrailingZeros(bits));
                        bits &= bits - 1;
                    }
                }
            }
        }
    }
}
