package io.vnetd.dataplane.port;

import org.agrona.DirectBuffer;

/** Receives frames the switch delivered to an endpoint; the buffer is only valid during the call. */
@FunctionalInterface
public interface FrameHandler {

    void onFrame(DirectBuffer frame, int offset, int length);
}
