package io.vnetd.dataplane.port;

import org.agrona.DirectBuffer;

/**
 * Where an endpoint's frames enter the switch: the inbound ring, which any thread may write and the
 * switching agent reads in its next duty cycle, or the switching agent itself, which forwards a frame
 * as it is handed over when the endpoint's I/O runs on the agent's own thread.
 */
@FunctionalInterface
public interface SwitchInput {

    /**
     * Hands over a frame sent from the port tagged {@code tag}; the buffer may be reused on return.
     *
     * @return false when it cannot be taken now (a full ring)
     */
    boolean write(int tag, DirectBuffer frame, int offset, int length);
}
