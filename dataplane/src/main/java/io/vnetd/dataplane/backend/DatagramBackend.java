package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.DatagramHeader;
import io.vnetd.dataplane.backend.io.DatagramIo;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.Optional;

/**
 * A backend on one datagram socket made when it opened, sending every frame to one destination: the
 * {@code socket} backend's {@code udp=} and {@code mcast=}, {@code dgram}, and {@code l2tpv3}. It
 * describes itself with the text it was given ({@code socket: udp=A:P}, {@code mcast=G:P}, ...). A
 * socket bound to a file removes it when it closes, if the file is still its own.
 *
 * <p>When the route to an IPv4 destination carries the longest datagram whole (loopback's MTU is
 * 64 KiB), its datagrams go out with DF set ({@code IP_PMTUDISC_PROBE}): none could be fragmented
 * anyway, and the kernel then leaves the IP ID 0 instead of drawing one from its shared generator for
 * each datagram, as it does for an unconnected socket that may fragment (QEMU's): about a tenth of the
 * CPU a 1500-byte frame costs on loopback. Any other route keeps the kernel's default.
 */
public final class DatagramBackend extends Backend {

    /** An IPv4 header and a UDP header: what a frame needs of an MTU besides itself and its own header. */
    private static final int IPV4_UDP_HEADERS = 20 + 8;
    /** The longest IPv4 datagram, headers included. */
    private static final int MAX_IPV4_DATAGRAM = 65535;

    private final int fd;
    private final Optional<String> socketFile;
    private final Optional<Object> socketFileIdentity;
    private final DatagramIo io;

    /**
     * A backend on socket {@code fd}, which it owns from now on: if the backend cannot be made, the
     * socket is closed.
     *
     * @param socketFile the file the socket is bound to, if any
     */
    public static DatagramBackend open(BackendEnv env, NetdevConfig config, int fd, SockAddr destination, String info,
                                       Optional<String> socketFile) {
        return open(env, config, fd, destination, info, socketFile, DatagramHeader.NONE);
    }

    /**
     * {@link #open(BackendEnv, NetdevConfig, int, SockAddr, String, Optional)} with a header before
     * the frame in each datagram.
     *
     * @param header what precedes the frame in each datagram (L2TPv3's session header)
     */
    public static DatagramBackend open(BackendEnv env, NetdevConfig config, int fd, SockAddr destination, String info,
                                       Optional<String> socketFile, DatagramHeader header) {
        try (OwnedFd socket = new OwnedFd(fd)) {
            dontFragmentWhereNothingWould(fd, destination, env.settings().maxFrameLength() + header.length());
            return socket.handOver(new DatagramBackend(env, config, fd, destination, info, socketFile, header));
        }
    }

    private DatagramBackend(BackendEnv env, NetdevConfig config, int fd, SockAddr destination, String info,
                            Optional<String> socketFile, DatagramHeader header) {
        super(env, config);
        this.fd = fd;
        this.socketFile = socketFile;
        this.socketFileIdentity = socketFile.flatMap(UnixPaths::identity);
        this.io = new DatagramIo(port(), counters(), destination, env.settings().ioBatchLength(), header);
        describeAs(info);
    }

    /** Sets DF where no datagram of up to {@code longestPayload} bytes could be fragmented (see above); else nothing. */
    private static void dontFragmentWhereNothingWould(int fd, SockAddr destination, int longestPayload) {
        if (destination.family() != Libc.AF_INET) {
            return;
        }
        try {
            if (Sockets.routeMtu(destination) >= Math.min(longestPayload + IPV4_UDP_HEADERS, MAX_IPV4_DATAGRAM)) {
                Sockets.setInt(fd, Libc.IPPROTO_IP, Libc.IP_MTU_DISCOVER, Libc.IP_PMTUDISC_PROBE, "IP_MTU_DISCOVER");
            }
        } catch (ErrnoException e) {
            // Only a saving lost: the socket keeps the kernel's default.
        }
    }

    @Override
    protected void onStart(EventLoop loop) {
        io.attach(loop, fd);
    }

    @Override
    protected int doWork() {
        return io.doWork();
    }

    @Override
    protected boolean hasWork() {
        return io.hasWork();
    }

    @Override
    protected void onStop() {
        io.detach();
        Sockets.close(fd);
    }

    @Override
    protected void releaseResources() {
        Sockets.release(fd);
        socketFile.ifPresent(path -> UnixPaths.unlinkIfSame(path, socketFileIdentity));
    }
}
