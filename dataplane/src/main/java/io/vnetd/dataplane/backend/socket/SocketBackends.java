package io.vnetd.dataplane.backend.socket;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.DatagramBackend;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Ipv4;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * QEMU's older {@code socket} backend ({@code net/socket.c}), IPv4 only: {@code listen=} and
 * {@code connect=} carry length-prefixed frames over TCP, {@code udp=} and {@code mcast=} one frame
 * per datagram. Every address and socket error is synchronous, with QEMU's wording; a connect that
 * has not completed yet is not an error (it completes, or fails quietly, later).
 */
public final class SocketBackends {

    private SocketBackends() {
    }

    /** Acquires the socket {@code config} asks for and makes its backend; {@link Backends.Factory} of {@code socket}. */
    public static Backend open(NetdevConfig.Socket config, BackendEnv env) {
        if (config.fd().isPresent()) {
            throw fdUnavailable(config.fd().get());
        }
        try {
            if (config.listen().isPresent()) {
                return listen(config, env, Ipv4.parseHostPort(config.listen().get()));
            }
            if (config.connect().isPresent()) {
                return connect(config, env, Ipv4.parseHostPort(config.connect().get()));
            }
            if (config.mcast().isPresent()) {
                return mcast(config, env);
            }
            return udp(config, env);
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    /**
     * A file descriptor of the client's cannot reach vnetd, which runs apart from it: a name is
     * refused as QEMU refuses an unknown one, a number as one vnetd may not take.
     */
    public static NetException fdUnavailable(String fd) {
        if (!fd.isEmpty() && Character.isDigit(fd.charAt(0))) {
            return NetException.generic("file descriptor " + fd + " is not available to vnetd:"
                    + " it runs apart from its clients and cannot use their descriptors");
        }
        return NetException.generic("File descriptor named '" + fd + "' has not been found");
    }

    private static Backend listen(NetdevConfig.Socket config, BackendEnv env, SockAddr address) {
        try (OwnedFd socket = new OwnedFd(Sockets.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0,
                "can't create stream socket"))) {
            int fd = socket.fd();
            // QEMU's socket_set_fast_reuse, whose failure it ignores.
            Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "can't set socket option SO_REUSEADDR");
            Sockets.bind(fd, address, "can't bind ip=" + Ipv4.ntoa(address.ipv4()) + " to socket");
            int errno = Sockets.tryListen(fd, 0);
            if (errno != 0) {
                throw new ErrnoException("can't listen on socket", errno);
            }
            return socket.handOver(new SocketListenBackend(env, config, fd));
        }
    }

    private static Backend connect(NetdevConfig.Socket config, BackendEnv env, SockAddr address) {
        try (OwnedFd socket = new OwnedFd(Sockets.socket(Libc.AF_INET, Libc.SOCK_STREAM, 0,
                "can't create stream socket"))) {
            int errno = Sockets.connect(socket.fd(), address);
            if (errno != 0 && errno != Libc.EINPROGRESS && errno != Libc.EAGAIN) {
                throw new ErrnoException("can't connect socket", errno);
            }
            return socket.handOver(new SocketConnectBackend(env, config, socket.fd(), errno == 0,
                    "socket: connect to " + Ipv4.ntoa(address.ipv4()) + ":" + address.port()));
        }
    }

    private static Backend mcast(NetdevConfig.Socket config, BackendEnv env) {
        SockAddr group = Ipv4.parseHostPort(config.mcast().get());
        OptionalInt local = OptionalInt.empty();
        if (config.localaddr().isPresent()) {
            String text = config.localaddr().get();
            local = Ipv4.aton(text);
            if (local.isEmpty()) {
                throw NetException.generic("localaddr '" + text + "' is not a valid IPv4 address");
            }
        }
        int fd = multicastSocket(group, local, env.settings().datagramReceiveBufferLength());
        return DatagramBackend.open(env, config, fd, group,
                "socket: mcast=" + Ipv4.ntoa(group.ipv4()) + ":" + group.port(), Optional.empty());
    }

    /**
     * QEMU's {@code net_socket_mcast_create} (and {@code net_dgram_mcast_create}): a socket bound to
     * the group's address and port, shared with other members on this host ({@code SO_REUSEADDR}),
     * joined to the group on {@code local}'s interface (or any), looping its own datagrams back to
     * the host's other members, and sending through {@code local} when given.
     *
     * @throws ErrnoException or {@link NetException} with QEMU's wording
     */
    public static int multicastSocket(SockAddr group, OptionalInt local, int receiveBuffer) {
        int address = group.ipv4();
        if (!Ipv4.isMulticast(address)) {
            throw NetException.generic("specified mcastaddr " + Ipv4.ntoa(address) + " (0x"
                    + String.format("%08x", address) + ") does not contain a multicast address");
        }
        try (OwnedFd socket = new OwnedFd(datagramSocket(Libc.AF_INET, receiveBuffer))) {
            int fd = socket.fd();
            Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "can't set socket option SO_REUSEADDR");
            Sockets.bind(fd, group, "can't bind ip=" + Ipv4.ntoa(address) + " to socket");
            Sockets.joinGroup(fd, address, local.orElse(0), "can't add socket to multicast group " + Ipv4.ntoa(address));
            Sockets.setInt(fd, Libc.IPPROTO_IP, Libc.IP_MULTICAST_LOOP, 1, "can't force multicast message to loopback");
            if (local.isPresent()) {
                Sockets.multicastInterface(fd, local.getAsInt(), "can't set the default network send interface");
            }
            return socket.release();
        }
    }

    private static Backend udp(NetdevConfig.Socket config, BackendEnv env) {
        // validate() guarantees localaddr with udp=; QEMU parses it first.
        SockAddr local = Ipv4.parseHostPort(config.localaddr().orElseThrow());
        SockAddr remote = Ipv4.parseHostPort(config.udp().orElseThrow());
        int fd = unicastSocket(local, env.settings().datagramReceiveBufferLength());
        return DatagramBackend.open(env, config, fd, remote,
                "socket: udp=" + Ipv4.ntoa(remote.ipv4()) + ":" + remote.port(), Optional.empty());
    }

    /**
     * A datagram socket whose receive buffer holds {@code receiveBuffer} bytes (0: the system's
     * default; the kernel caps it at {@code net.core.rmem_max}), so that a burst waits for the agent
     * instead of being dropped.
     */
    public static int datagramSocket(int family, int receiveBuffer) {
        try (OwnedFd socket = new OwnedFd(Sockets.socket(family, Libc.SOCK_DGRAM, 0, "can't create datagram socket"))) {
            if (receiveBuffer > 0) {
                Sockets.setInt(socket.fd(), Libc.SOL_SOCKET, Libc.SO_RCVBUF, receiveBuffer,
                        "can't set socket option SO_RCVBUF");
            }
            return socket.release();
        }
    }

    /**
     * QEMU's unicast UDP socket: bound to {@code local} with {@code SO_REUSEADDR}, so that two
     * backends may share a local port (as in QEMU, each datagram then reaches one of them).
     */
    public static int unicastSocket(SockAddr local, int receiveBuffer) {
        try (OwnedFd socket = new OwnedFd(datagramSocket(Libc.AF_INET, receiveBuffer))) {
            Sockets.setInt(socket.fd(), Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "can't set socket option SO_REUSEADDR");
            Sockets.bind(socket.fd(), local, "can't bind ip=" + Ipv4.ntoa(local.ipv4()) + " to socket");
            return socket.release();
        }
    }
}
