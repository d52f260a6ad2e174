package io.vnetd.dataplane.switching;

/**
 * A port's tag: the message type id its frames carry on the inbound ring. The low 20 bits are the
 * port's slot; the next 11 are a generation bumped each time the slot is handed out, so a frame left
 * on the ring by a closed port is never taken for a frame of the slot's next port (a slot would have
 * to be reused 2,047 times while that frame waits). Generations start at 1, keeping every tag
 * positive as Agrona's ring buffers require of a message type id.
 */
public final class PortTag {

    /** Slots a tag can name: the upper bound of {@code maxPorts}. */
    public static final int MAX_SLOTS = 1 << 20;

    private static final int SLOT_MASK = MAX_SLOTS - 1;
    private static final int SLOT_BITS = 20;
    private static final int MAX_GENERATION = (1 << 11) - 1;

    private PortTag() {
    }

    public static int of(int slot, int generation) {
        return generation << SLOT_BITS | slot;
    }

    public static int slot(int tag) {
        return tag & SLOT_MASK;
    }

    /** The generation after {@code generation}, wrapping within 1..2047 (0 is never used). */
    public static int nextGeneration(int generation) {
        return generation % MAX_GENERATION + 1;
    }
}
