package io.vnetd.dataplane.backend;

import io.vnetd.actors.netdev.NetdevConfig;
import io.vnetd.dataplane.backend.io.DatagramHeader;
import io.vnetd.dataplane.backend.io.DatagramIo;
import io.vnetd.dataplane.backend.io.EventLoop;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import java.util.Optional;

/**
 * A backend on one datagram socket made when it opened, sending every frame to one destination: the
 * {@code socket} backend's {@code udp=} and {@code mcast=}, {@code dgram}, and {@code l2tpv3}. It
 * describes itself with the text it was given ({@code socket: udp=A:P}, {@code mcast=G:P}, ...). A
 * socket bound to a file removes it when it closes, if the file is still its own.
 */
public final class DatagramBackend extends Backend {

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
        try {
            return new DatagramBackend(env, config, fd, destination, info, socketFile, header);
        } catch (RuntimeException e) {
            Sockets.close(fd);
            throw e;
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
