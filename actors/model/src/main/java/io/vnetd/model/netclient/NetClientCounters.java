package io.vnetd.model.netclient;

import io.vnetd.model.JsonSerializable;

/**
 * A net client's frame counters, as the data plane counts them at its port, in QEMU's terms: a client
 * sends frames into the network and receives what the network delivers to it (for a NIC, what its
 * guest sent and what reaches the guest; for a backend, what came from its host peer and what goes
 * to it). Each drop is counted once, at the client where QEMU's net core would drop the frame.
 *
 * @param rxFrames            frames delivered to the client
 * @param rxBytes             their bytes
 * @param txFrames            frames the client sent, those dropped on their way included
 * @param txBytes             their bytes
 * @param droppedLinkDown     frames it sent or was to receive while its link was down
 * @param droppedFilter       frames its rx-filter refused (NICs with a virtio-net filter)
 * @param droppedRingFull     frames dropped because a ring between it and the switch was full: its ring
 *                            of delivered frames, or the switch's inbound ring for a datagram from its
 *                            host peer (a stream peer is pushed back instead)
 * @param droppedPeerAbsent   frames it sent while it had no peer
 * @param droppedLoop         frames a hubport did not take back into a hub they had crossed
 * @param droppedNotConnected frames delivered to a backend with no connection to send them on
 * @param droppedSendFailed   frames the backend's host socket refused
 * @param droppedTooLong      frames from the host peer longer than the longest frame carried
 * @param droppedBadHeader    datagrams from the host peer whose encapsulation did not match the
 *                            netdev's (an L2TPv3 session or cookie not its own, no frame after it)
 */
public record NetClientCounters(
        long rxFrames,
        long rxBytes,
        long txFrames,
        long txBytes,
        long droppedLinkDown,
        long droppedFilter,
        long droppedRingFull,
        long droppedPeerAbsent,
        long droppedLoop,
        long droppedNotConnected,
        long droppedSendFailed,
        long droppedTooLong,
        long droppedBadHeader) implements JsonSerializable {
}
