package io.vnetd.dataplane.filter;

import org.agrona.DirectBuffer;

/**
 * Decides whether a port takes a frame delivered to it, as a NIC's receive filter does. Called by the
 * switching agent for every delivery, so implementations must be immutable (replace the filter to
 * change it), allocation-free and quick.
 */
@FunctionalInterface
public interface FrameFilter {

    /** Takes every frame: the filter of a port that has none. */
    FrameFilter ACCEPT_ALL = (frame, offset, length) -> true;

    /**
     * @param frame  buffer holding the Ethernet frame, starting with the destination address
     * @param offset where the frame starts in {@code frame}
     * @param length the frame's length in bytes
     * @return whether the port receives the frame
     */
    boolean accept(DirectBuffer frame, int offset, int length);
}
