package io.vnetd.dataplane.counters;

/**
 * The counters of a backend's I/O, beside its port's: what happened between the socket and the
 * port. Frames a backend hands to the switch are its port's frames sent; frames the switch delivered
 * to it are its port's frames received; these count what never got that far, and connections.
 */
public enum BackendCounter {
    /** Datagrams read from the peer while the switch's inbound ring was full. */
    RX_DROPPED_RING_FULL(1201, "frames from the peer dropped: inbound ring full"),
    /** Datagrams longer than {@code maxFrameLength}. */
    RX_DROPPED_TOO_LONG(1202, "frames from the peer dropped: longer than maxFrameLength"),
    /** Frames the switch delivered while the backend had no connection to send them on. */
    TX_DROPPED_NOT_CONNECTED(1203, "frames to the peer dropped: not connected"),
    /** Frames the socket refused (a unix destination missing, a datagram too long, ...). */
    TX_DROPPED_SEND_ERROR(1204, "frames to the peer dropped: send failed"),
    /** Connections accepted or established. */
    CONNECTIONS(1205, "connections"),
    /** Connections dropped because the peer announced a frame longer than {@code maxFrameLength}. */
    STREAM_ERRORS(1206, "connections dropped: frame too long"),
    /** Datagrams whose header did not match (an L2TPv3 session or cookie not this backend's). */
    RX_DROPPED_BAD_HEADER(1207, "frames from the peer dropped: header mismatch");

    private final int typeId;
    private final String description;

    BackendCounter(int typeId, String description) {
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
