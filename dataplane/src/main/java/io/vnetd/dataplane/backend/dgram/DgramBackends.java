package io.vnetd.dataplane.backend.dgram;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.DatagramBackend;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Ipv4;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.dataplane.backend.socket.SocketBackends;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The {@code dgram} backend ({@code net/dgram.c}): one frame per datagram, over IPv4 UDP (unicast
 * from {@code local} to {@code remote}, or a multicast group as {@code remote}) or unix datagram
 * sockets. Inet addresses are read the way QEMU's {@code convert_host_port} reads them (IPv4 only);
 * a unix {@code local} path is removed before it is bound, and QEMU ignores {@code abstract} and
 * {@code tight} here, so vnetd does too. Errors are synchronous, with QEMU's wording.
 */
public final class DgramBackends {

    private DgramBackends() {
    }

    /**
     * Acquires the socket {@code config} asks for and makes its backend; {@link Backends.Factory} of
     * {@code dgram}. The checks are {@code net_init_dgram}'s, in its order: an inet {@code remote} is
     * converted first (a bad remote outranks every other rule) and decides multicast; then whether
     * {@code local} and {@code remote} go together; then {@code local}'s type.
     */
    public static Backend open(NetdevConfig.Dgram config, BackendEnv env) {
        try {
            SockAddr remoteInet = null;
            if (config.remote().orElse(null) instanceof SocketAddress.Inet remote) {
                remoteInet = Ipv4.convertHostPort(remote.host(), remote.port());
                if (Ipv4.isMulticast(remoteInet.ipv4())) {
                    return multicast(config, env, remoteInet);
                }
            }
            SocketAddress local = config.local().orElseThrow(
                    () -> NetException.generic("dgram requires local= parameter"));
            if (config.remote().isPresent()) {
                if (local instanceof SocketAddress.Fd) {
                    throw NetException.generic("don't set remote with local.fd");
                }
                if (config.remote().get().getClass() != local.getClass()) {
                    throw NetException.generic("remote and local types must be the same");
                }
            } else if (!(local instanceof SocketAddress.Fd)) {
                throw NetException.generic("type=inet or type=unix requires remote parameter");
            }
            return switch (local) {
                case SocketAddress.Inet inet -> inet(config, env, inet, remoteInet);
                case SocketAddress.Unix unix -> unix(config, env, unix, (SocketAddress.Unix) config.remote().orElseThrow());
                case SocketAddress.Fd fd -> throw fdUnavailable(fd);
                case SocketAddress.Vsock vsock -> throw onlyInetOrFd();
            };
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    private static Backend multicast(NetdevConfig.Dgram config, BackendEnv env, SockAddr group) {
        OptionalInt local = switch (config.local().orElse(null)) {
            case null -> OptionalInt.empty();
            case SocketAddress.Inet inet -> {
                OptionalInt address = Ipv4.aton(inet.host());
                if (address.isEmpty()) {
                    throw NetException.generic("localaddr '" + inet.host() + "' is not a valid IPv4 address");
                }
                yield address;
            }
            case SocketAddress.Fd fd -> throw fdUnavailable(fd);
            default -> throw onlyInetOrFd();
        };
        int fd = SocketBackends.multicastSocket(group, local, env.settings().datagramReceiveBufferLength());
        return DatagramBackend.open(env, config, fd, group, "mcast=" + Ipv4.ntoa(group.ipv4()) + ":" + group.port(),
                Optional.empty());
    }

    /** {@code remote} was converted first, as QEMU converts it before it looks at {@code local}. */
    private static Backend inet(NetdevConfig.Dgram config, BackendEnv env, SocketAddress.Inet local,
                                SockAddr remoteAddress) {
        SockAddr localAddress = Ipv4.convertHostPort(local.host(), local.port());
        int fd = SocketBackends.unicastSocket(localAddress, env.settings().datagramReceiveBufferLength());
        return DatagramBackend.open(env, config, fd, remoteAddress, "udp=" + Ipv4.ntoa(localAddress.ipv4()) + ":"
                + localAddress.port() + "/" + Ipv4.ntoa(remoteAddress.ipv4()) + ":" + remoteAddress.port(),
                Optional.empty());
    }

    private static Backend unix(NetdevConfig.Dgram config, BackendEnv env, SocketAddress.Unix local,
                                SocketAddress.Unix remote) {
        UnixPaths.unlinkStale(local.path(), "failed to unlink socket " + local.path());
        SockAddr localAddress = fileAddress(local.path());
        SockAddr remoteAddress = fileAddress(remote.path());
        try (OwnedFd socket = new OwnedFd(
                SocketBackends.datagramSocket(Libc.AF_UNIX, env.settings().datagramReceiveBufferLength()))) {
            Sockets.bind(socket.fd(), localAddress, "can't bind unix=" + local.path() + " to socket");
            return DatagramBackend.open(env, config, socket.release(), remoteAddress,
                    "udp=" + local.path() + ":" + remote.path(), Optional.of(local.path()));
        }
    }

    private static SockAddr fileAddress(String path) {
        try {
            return SockAddr.unix(path, false, false);
        } catch (IllegalArgumentException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    /** QEMU's answer for a {@code local} type it has no socket for (unix with multicast, vsock). */
    private static NetException onlyInetOrFd() {
        return NetException.generic("only support inet or fd type for local");
    }

    private static NetException fdUnavailable(SocketAddress.Fd fd) {
        return SocketBackends.fdUnavailable(fd.str());
    }
}
