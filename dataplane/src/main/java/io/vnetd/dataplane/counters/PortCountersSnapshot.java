package io.vnetd.dataplane.counters;

/** One port's counters read at one moment (see {@link PortCounter} for what each one counts). */
public record PortCountersSnapshot(
        String name,
        long sentFrames,
        long sentBytes,
        long receivedFrames,
        long receivedBytes,
        long droppedLinkDown,
        long droppedFilter,
        long droppedRingFull,
        long droppedPeerAbsent,
        long droppedLoop) {

    /** Frames dropped at this port for any reason. */
    public long dropped() {
        return droppedLinkDown + droppedFilter + droppedRingFull + droppedPeerAbsent + droppedLoop;
    }
}
