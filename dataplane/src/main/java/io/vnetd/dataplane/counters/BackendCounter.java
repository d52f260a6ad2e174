package io.vnetd.dataplane.counters;

/**
 * A backend's own counters, beside the net client counters it keeps ({@link BackendCounters}): about
 * its connections, which no listing shows.
 */
public enum BackendCounter {
    /** Connections accepted or established. */
    CONNECTIONS
}
