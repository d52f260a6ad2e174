package io.vnetd.dataplane.idle;

/**
 * Wakes an agent that sleeps for want of work: whoever hands an agent work (a frame on a ring it
 * reads, an operation on a queue it drains) rings its doorbell afterwards. Ringing an agent that is
 * awake costs a memory fence and a read; any thread may ring.
 */
@FunctionalInterface
public interface Doorbell {

    /** A doorbell for agents that never sleep (or are stepped by a caller): ringing does nothing. */
    Doorbell NONE = () -> {
    };

    void ring();
}
