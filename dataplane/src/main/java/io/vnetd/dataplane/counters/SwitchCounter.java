package io.vnetd.dataplane.counters;

/** Counters of the switching agent itself, as opposed to any one port. */
public enum SwitchCounter {
    /** Frames read from the inbound ring whose port had been closed by then: dropped. */
    STALE_FRAMES,
    /** Forwarding tables compiled: one per drain of the control queue that changed the model. */
    TABLES_COMPILED,
    /** Errors the agent reported to the error handler. */
    ERRORS
}
