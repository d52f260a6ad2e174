package io.vnetd.actors.announce;

/**
 * How a round's frame reaches a NIC: through this node's data plane, or the data plane of the node
 * the NIC lives on. It never blocks and never fails a round: a frame that cannot go is dropped, as
 * QEMU drops what a NIC cannot take.
 */
@FunctionalInterface
public interface RoundSender {

    void send(AnnounceTarget target, byte[] frame);
}
