package io.vnetd.dataplane.counters;

/**
 * A backend's own counters, beside the net client counters it keeps ({@link BackendCounters}): about
 * its connections, which no listing shows.
 */
public enum BackendCounter {
    /** Connections accepted or established. */
    CONNECTIONS("connections"),
    /** Connections dropped because the peer announced a frame longer than {@code maxFrameLength}. */
    STREAM_ERRORS("connections dropped: frame too long");

    private final String description;

    BackendCounter(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
