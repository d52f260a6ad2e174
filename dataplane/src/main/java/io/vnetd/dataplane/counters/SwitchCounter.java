package io.vnetd.dataplane.counters;

/** Counters of the switching agent itself, as opposed to any one port. */
public enum SwitchCounter {
    /** Frames read from the inbound ring whose port had been closed by then: dropped. */
    STALE_FRAMES("vnetd switch: frames from closed ports"),
    /** Forwarding tables compiled: one per drain of the control queue that changed the model. */
    TABLES_COMPILED("vnetd switch: forwarding tables compiled"),
    /** Errors the agent reported to the error handler. */
    ERRORS("vnetd switch: errors");

    private final String label;

    SwitchCounter(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
