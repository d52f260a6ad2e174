package io.vnetd.dataplane.port;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler.Action;

/**
 * Receives frames the switch delivered to an endpoint and decides whether to take each: a backend
 * that copies frames into a bounded buffer answers {@link Action#ABORT} for the first that does not
 * fit, which stays on the ring for the next poll. The buffer is only valid during the call.
 */
@FunctionalInterface
public interface ControlledFrameHandler {

    /** {@link Action#CONTINUE} to take the frame, {@link Action#ABORT} to leave it and stop. */
    Action onFrame(DirectBuffer frame, int offset, int length);
}
