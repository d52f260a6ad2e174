package io.vnetd.dataplane.counters;

/** Counters of the switching agent itself, as opposed to any one port. */
public enum SwitchCounter {
    /** Frames read from the inbound ring whose port had been closed by then: dropped. */
    STALE_FRAMES(1101, "vnetd switch: frames from closed ports"),
    /** Forwarding tables compiled: one per drain of the control queue that changed the model. */
    TABLES_COMPILED(1102, "vnetd switch: forwarding tables compiled"),
    /** Errors the agent reported to the error handler. */
    ERRORS(1103, "vnetd switch: errors");

    private final int typeId;
    private final String label;

    SwitchCounter(int typeId, String label) {
        this.typeId = typeId;
        this.label = label;
    }

    public int typeId() {
        return typeId;
    }

    public String label() {
        return label;
    }
}
