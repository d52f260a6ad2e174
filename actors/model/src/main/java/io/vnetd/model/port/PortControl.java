package io.vnetd.model.port;

import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import java.util.Optional;

/**
 * How entities realize their state in the data plane. Calls never wait for frames to move: an
 * implementation hands them to its agents through a non-blocking queue. Every call is idempotent,
 * so recovery can simply replay what the state says.
 */
public interface PortControl {

    /**
     * Acquires the backend's host resource (a socket, a tap) and creates its port, link up, no peer,
     * not served until {@link #activate}: what serving causes (a connection, its events) comes after
     * the command that opened it is answered, as in QEMU. Re-opening an open port with the same
     * configuration keeps it.
     *
     * @throws NetException with QEMU's wording when the resource cannot be had
     */
    void open(NetdevConfig config);

    /**
     * Serves an opened port: a stream client connects, a server accepts, frames move. Nothing for a
     * port without I/O of its own (a hubport), one served already, or none.
     */
    void activate(NetClientRef client);

    /**
     * Creates a NIC's port and its guest side, link up, no peer, accepting what {@code filter}
     * accepts. Re-opening keeps it.
     *
     * @throws NetException when the guest side cannot be had
     */
    void openNic(NicConfig config, RxFilter filter);

    /** Replaces the receive filter applied to every frame delivered to a NIC. */
    void setRxFilter(String nic, RxFilter filter);

    /** Sends {@code frame} as if the NIC's guest had sent it (announcements). */
    void inject(String nic, byte[] frame);

    /** Releases the port and its resource; nothing if there is none. */
    void close(NetClientRef client);

    void setLink(NetClientRef client, boolean up);

    /** Makes {@code a} and {@code b} peers; takes effect once both ports exist. */
    void connect(NetClientRef a, NetClientRef b);

    /** Removes {@code client}'s peering, on both sides. */
    void disconnect(NetClientRef client);

    /**
     * QEMU's {@code info_str} of the client's port as its backend sees it now (e.g. a stream's
     * {@code tcp:127.0.0.1:40000} or {@code connection error}); empty when it has none.
     */
    String describe(NetClientRef client);

    /**
     * The frame counters of the client's port as they are now, read without stopping traffic; empty
     * when it has no port, or when the implementation counts nothing.
     */
    default Optional<NetClientCounters> counters(NetClientRef client) {
        return Optional.empty();
    }
}
