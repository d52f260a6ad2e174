package io.vnetd.dataplane.counters;

/**
 * A backend's own counters, beside the net client counters it keeps ({@link BackendCounters}): about
 * its connections, which no listing shows.
 */
public enum BackendCounter {
    /** Connections accepted or established. */
    CONNECTIONS,
    /**
     * Connections dropped because the peer broke the protocol: a stream frame longer than
     * {@code maxFrameLength}, a malformed vhost-user message or ring.
     */
    STREAM_ERRORS
}
