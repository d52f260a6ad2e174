package io.vnetd.dataplane.backend.stream;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.AddrInfo;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import java.util.List;

/**
 * The {@code stream} backend ({@code net/stream.c}): length-prefixed frames over one stream socket,
 * inet or unix (abstract names included), as a server serving one client at a time or as a client
 * that reconnects every {@code reconnect} seconds when asked to.
 *
 * <p>As in QEMU, setting up the socket never fails the command: a server that cannot listen and a
 * client that cannot connect describe themselves as {@code connection error}, and the reason goes to
 * the log.
 */
public final class StreamBackends {

    /** Connections a busy server leaves waiting in its backlog (QEMU's listener takes one at a time). */
    static final int BACKLOG = 1;

    private StreamBackends() {
    }

    /**
     * Makes the backend {@code config} asks for ({@link io.vnetd.dataplane.backend.Backends.Factory} of
     * {@code stream}); {@link NetdevConfig.Stream#validate} has refused {@code reconnect} on a server.
     */
    public static Backend open(NetdevConfig.Stream config, BackendEnv env) {
        return config.isServer() ? StreamServer.open(env, config) : new StreamClient(env, config);
    }

    /** QEMU's {@code socket_uri}: how a connected stream describes its peer in {@code info network}. */
    static String uri(SocketAddress address) {
        return switch (address) {
            case SocketAddress.Inet inet -> "tcp:" + inet.host() + ":" + inet.port();
            case SocketAddress.Unix unix -> "unix:" + unix.path();
            case SocketAddress.Vsock vsock -> "vsock:" + vsock.cid() + ":" + vsock.port();
            case SocketAddress.Fd fd -> "fd:" + fd.str();
        };
    }

    /**
     * QEMU's {@code inet_ai_family_from_address}: the address family {@code ipv4} and {@code ipv6}
     * allow; both on with no host means IPv6 accepting IPv4 too.
     */
    static int family(SocketAddress.Inet inet) throws SetupException {
        boolean hasV4 = inet.ipv4().isPresent();
        boolean hasV6 = inet.ipv6().isPresent();
        boolean v4 = inet.ipv4().orElse(false);
        boolean v6 = inet.ipv6().orElse(false);
        if (hasV4 && hasV6 && !v4 && !v6) {
            throw new SetupException("Cannot disable IPv4 and IPv6 at same time");
        }
        if (v4 && v6) {
            return inet.host().isEmpty() ? Libc.AF_INET6 : 0;
        }
        if (v6 || (hasV4 && !v4)) {
            return Libc.AF_INET6;
        }
        if (v4 || (hasV6 && !v6)) {
            return Libc.AF_INET;
        }
        return 0;
    }

    /** {@code IPPROTO_MPTCP} when asked for, else the protocol the resolver named. */
    static int protocol(SocketAddress.Inet inet, int resolved) {
        return inet.mptcp().orElse(false) ? Libc.IPPROTO_MPTCP : resolved;
    }

    /** The {@code getaddrinfo} flags of a client ({@code passive}: a server) for {@code inet}. */
    static int lookupFlags(SocketAddress.Inet inet, boolean passive) {
        int flags = passive ? Libc.AI_PASSIVE : Libc.AI_ADDRCONFIG;
        return inet.numeric().orElse(false) ? flags | Libc.AI_NUMERICHOST | Libc.AI_NUMERICSERV : flags;
    }

    /** A unix socket's address: in the file system, or abstract ({@code tight} by default). */
    static SockAddr unixAddress(SocketAddress.Unix unix) throws SetupException {
        if (unix.path().isEmpty()) {
            throw new SetupException("vnetd needs a path for a unix socket");
        }
        try {
            return SockAddr.unix(unix.path(), unix.inAbstractNamespace().orElse(false), unix.tight().orElse(true));
        } catch (IllegalArgumentException e) {
            throw new SetupException(e.getMessage());
        }
    }

    /** QEMU's {@code vsock_parse}: the context id and port are decimal numbers of 32 bits. */
    static SockAddr vsockAddress(SocketAddress.Vsock vsock) throws SetupException {
        try {
            return SockAddr.vsock(Integer.parseUnsignedInt(vsock.cid()), Integer.parseUnsignedInt(vsock.port()));
        } catch (NumberFormatException e) {
            throw new SetupException("Failed to parse vsock address '" + vsock.cid() + ":" + vsock.port() + "'");
        }
    }

    /**
     * A listening socket for a stream server, as QEMU's {@code socket_listen} makes it: an inet
     * address resolved ({@code getaddrinfo}, passive) and each result tried in turn, each port up to
     * {@code to}; a unix path whose stale file is removed first.
     */
    static Listening listen(SocketAddress address) throws SetupException {
        return switch (address) {
            case SocketAddress.Inet inet -> listenInet(inet);
            case SocketAddress.Unix unix -> {
                SockAddr bound = unixAddress(unix);
                if (bound.fileSystemPath().isPresent()) {
                    try {
                        UnixPaths.unlinkStale(unix.path(), "Failed to unlink socket " + unix.path());
                    } catch (ErrnoException e) {
                        throw new SetupException(e.getMessage());
                    }
                }
                yield listenOn(Libc.AF_UNIX, 0, bound, "Failed to bind socket to " + unix.path());
            }
            case SocketAddress.Vsock vsock -> listenOn(Libc.AF_VSOCK, 0, vsockAddress(vsock), "Failed to bind socket");
            case SocketAddress.Fd fd -> throw new SetupException("File descriptor named '" + fd.str()
                    + "' has not been found");
        };
    }

    private static Listening listenInet(SocketAddress.Inet inet) throws SetupException {
        List<AddrInfo.Entry> entries;
        try {
            entries = AddrInfo.lookup(inet.host().isEmpty() ? null : inet.host(), inet.port(), family(inet),
                    Libc.SOCK_STREAM, lookupFlags(inet, true));
        } catch (AddrInfo.LookupException e) {
            throw new SetupException("address resolution failed for " + inet.host() + ":" + inet.port() + ": "
                    + e.getMessage());
        }
        int lastErrno = Libc.EADDRINUSE;
        for (AddrInfo.Entry entry : entries) {
            int fd;
            try {
                fd = Sockets.socket(entry.family(), Libc.SOCK_STREAM, protocol(inet, entry.protocol()), "socket");
            } catch (ErrnoException e) {
                lastErrno = e.errno();
                continue;
            }
            try (OwnedFd socket = new OwnedFd(fd)) {
                if (entry.family() == Libc.AF_INET6) {
                    // Listen on both families unless IPv4 was turned off.
                    int v6only = inet.ipv4().isPresent() && !inet.ipv4().get() ? 1 : 0;
                    Sockets.setInt(fd, Libc.IPPROTO_IPV6, Libc.IPV6_V6ONLY, v6only, "IPV6_V6ONLY");
                }
                Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_REUSEADDR, 1, "SO_REUSEADDR");
                int first = entry.address().port();
                int last = inet.to().map(to -> Math.max(first, to)).orElse(first);
                for (int port = first; port <= last; port++) {
                    int errno = Sockets.tryBind(fd, entry.address().withPort(port));
                    if (errno == 0) {
                        errno = Sockets.tryListen(fd, BACKLOG);
                        if (errno == 0) {
                            return socket.handOver(new Listening(fd, entry.address().withPort(port)));
                        }
                    }
                    if (errno != Libc.EADDRINUSE) {
                        throw new ErrnoException("Failed to bind socket", errno);
                    }
                    lastErrno = errno;
                }
            } catch (ErrnoException e) {
                throw new SetupException(e.getMessage());
            }
        }
        throw new SetupException(new ErrnoException("Failed to find an available port", lastErrno).getMessage());
    }

    private static Listening listenOn(int family, int protocol, SockAddr address, String what) throws SetupException {
        int fd;
        try {
            fd = Sockets.socket(family, Libc.SOCK_STREAM, protocol, "Failed to create socket");
        } catch (ErrnoException e) {
            throw new SetupException(e.getMessage());
        }
        try (OwnedFd socket = new OwnedFd(fd)) {
            Sockets.bind(fd, address, what);
            int errno = Sockets.tryListen(fd, BACKLOG);
            if (errno != 0) {
                throw new ErrnoException("Failed to listen on socket", errno);
            }
            return socket.handOver(new Listening(fd, address));
        } catch (ErrnoException e) {
            throw new SetupException(e.getMessage());
        }
    }

    /** A listening socket and the address it is bound to. */
    record Listening(int fd, SockAddr address) {
    }

    /** Why a stream could not be set up: logged, and shown as {@code connection error}. */
    static final class SetupException extends Exception {
        private static final long serialVersionUID = 1L;

        SetupException(String message) {
            super(message, null, false, false);
        }
    }
}
