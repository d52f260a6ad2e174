package io.vnetd.dataplane.counters;

/** Counters of the switching agent itself, as opposed to any one port. */
public enum SwitchCounter {
    /** Frames read from the inbound ring whose port had been closed by then: dropped. */
    STALE_FRAMES,
    /** Endpoint routes compiled, or dropped with their port: one for each endpoint a change of topology affected. */
    ROUTES_COMPILED,
    /** Errors the agent reported to the error handler. */
    ERRORS
}
