package io.vnetd.actors.port;

import io.vnetd.actors.api.NetException;
import io.vnetd.actors.netdev.NetdevConfig;

/**
 * How entities realize their state in the data plane. Calls never wait for frames to move: an
 * implementation hands them to its agents through a non-blocking queue. Every call is idempotent,
 * so recovery can simply replay what the state says.
 */
public interface PortControl {

    /**
     * Acquires the backend's host resource (a socket, a tap) and creates its port, link up, no peer.
     * Re-opening an open port with the same configuration keeps it.
     *
     * @throws NetException with QEMU's wording when the resource cannot be had
     */
    void open(NetdevConfig config);

    /** Releases the port and its resource; nothing if there is none. */
    void close(String name);

    void setLink(String name, boolean up);

    /** Makes {@code a} and {@code b} peers; takes effect once both ports exist. */
    void connect(String a, String b);

    /** Removes {@code name}'s peering, on both sides. */
    void disconnect(String name);
}
