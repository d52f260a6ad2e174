package io.vnetd.dataplane.counters;

/** One backend's I/O counters read at one moment (see {@link BackendCounter} for what each counts). */
public record BackendCountersSnapshot(
        String name,
        long rxDroppedRingFull,
        long rxDroppedTooLong,
        long txDroppedNotConnected,
        long txDroppedSendError,
        long connections,
        long streamErrors,
        long rxDroppedBadHeader) {

    /** The counters of a port without a backend (a hubport, a NIC): nothing. */
    public static BackendCountersSnapshot none(String name) {
        return new BackendCountersSnapshot(name, 0, 0, 0, 0, 0, 0, 0);
    }
}
