package io.vnetd.dataplane.counters;

/**
 * A backend's own counters, beside the net client counters it keeps ({@link BackendCounters}): about
 * its connections, which no listing shows.
 */
public enum BackendCounter {
    /** Connections accepted or established. */
    CONNECTIONS,
    /** Connections dropped because the peer announced a frame longer than {@code maxFrameLength}. */
    STREAM_ERRORS
}
