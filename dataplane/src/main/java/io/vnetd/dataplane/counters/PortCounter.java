package io.vnetd.dataplane.counters;

/**
 * The counters every port has, in the port's own terms: what it sent into the network and what the
 * network delivered to it, and the frames dropped at this port, by reason. A frame is dropped at the
 * port where QEMU's net core would drop it: at the sender for its own link down or a missing peer, at
 * the receiver for its link down, its rx-filter or its full ring, at a hubport when forwarding it
 * would form a loop.
 */
public enum PortCounter {
    /** Frames the port sent (for an endpoint: every frame its backend handed over). */
    SENT_FRAMES(1001, "frames sent"),
    SENT_BYTES(1002, "bytes sent"),
    /**
     * Frames delivered to the port (for an endpoint: written to its outbound ring, or taken at once by
     * a stream connection served on the switching agent's thread).
     */
    RECEIVED_FRAMES(1003, "frames received"),
    RECEIVED_BYTES(1004, "bytes received"),
    DROPPED_LINK_DOWN(1005, "frames dropped: link down"),
    DROPPED_FILTER(1006, "frames dropped: rx-filter"),
    DROPPED_RING_FULL(1007, "frames dropped: ring full"),
    DROPPED_PEER_ABSENT(1008, "frames dropped: no peer"),
    DROPPED_LOOP(1009, "frames dropped: hub loop");

    private final int typeId;
    private final String description;

    PortCounter(int typeId, String description) {
        this.typeId = typeId;
        this.description = description;
    }

    /** The Agrona counter type id, for tools reading the counters buffer. */
    public int typeId() {
        return typeId;
    }

    public String description() {
        return description;
    }
}
