package io.vnetd.dataplane.backend.l2tpv3;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.DatagramBackend;
import io.vnetd.dataplane.backend.io.AddrInfo;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.List;
import java.util.Optional;

/**
 * The {@code l2tpv3} backend ({@code net/l2tpv3.c}): Ethernet over a static L2TPv3 session (RFC 3931,
 * no control connection), over IP protocol 115 on a raw socket or over UDP, IPv4 or IPv6. Set up as
 * {@code net_init_l2tpv3} does it, with its errors: {@code src} (and {@code srcport} over UDP) resolved
 * with {@code getaddrinfo} in the chosen family, a socket of that family bound to the first answer, then
 * {@code dst} (and {@code dstport}) resolved as the one destination. Frames then go as
 * {@link DatagramBackend} moves them, each behind its {@link L2tpv3Header}. Over IP the socket needs
 * {@code CAP_NET_RAW}, as QEMU's does.
 */
public final class L2tpv3Backends {

    /** {@code SOCK_RAW}. */
    static final int SOCK_RAW = 3;
    /** IANA's IP protocol number for L2TP. */
    static final int IPPROTO_L2TP = 115;
    /** QEMU's {@code info_str} for every l2tpv3 netdev: a session needs no handshake. */
    static final String INFO = "l2tpv3: connected";

    private L2tpv3Backends() {
    }

    /** Binds the socket {@code config} asks for and makes its backend; {@code Backends.Factory} of {@code l2tpv3}. */
    public static Backend open(NetdevConfig.L2tpv3 config, BackendEnv env) {
        boolean udp = config.udp().orElse(false);
        int family = config.ipv6().orElse(false) ? Libc.AF_INET6 : Libc.AF_INET;
        int socktype = udp ? Libc.SOCK_DGRAM : SOCK_RAW;
        L2tpv3Header header = L2tpv3Header.of(config);
        // Ports count over UDP only: QEMU resolves the hosts alone for IP.
        AddrInfo.Entry source = resolve(config.src(), udp ? config.srcport() : Optional.empty(), family, socktype,
                "could not resolve src, errno = ");
        int fd;
        try {
            fd = Sockets.socket(source.family(), socktype, udp ? 0 : IPPROTO_L2TP, "socket creation failed");
        } catch (ErrnoException e) {
            throw NetException.generic("socket creation failed, errno = " + e.errno());
        }
        try (OwnedFd socket = new OwnedFd(fd)) {
            int receiveBuffer = env.settings().datagramReceiveBufferLength();
            if (receiveBuffer > 0) {
                Sockets.setInt(fd, Libc.SOL_SOCKET, Libc.SO_RCVBUF, receiveBuffer, "can't set socket option SO_RCVBUF");
            }
            int bindError = Sockets.tryBind(fd, source.address());
            if (bindError != 0) {
                throw NetException.generic("could not bind socket err=" + bindError);
            }
            SockAddr destination = resolve(config.dst(), udp ? config.dstport() : Optional.empty(), family, socktype,
                    "could not resolve dst, error = ").address();
            return DatagramBackend.open(env, config, socket.release(), destination, INFO, Optional.empty(), header);
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    /** The first address {@code getaddrinfo} gives, as QEMU takes it; {@code failure} prefixes its error. */
    private static AddrInfo.Entry resolve(String host, Optional<String> port, int family, int socktype,
                                          String failure) {
        try {
            List<AddrInfo.Entry> entries = AddrInfo.lookup(host, port.orElse(null), family, socktype, 0);
            if (entries.isEmpty()) {
                throw NetException.generic(failure + "Success");
            }
            return entries.getFirst();
        } catch (AddrInfo.LookupException e) {
            throw NetException.generic(failure + e.getMessage());
        }
    }
}
