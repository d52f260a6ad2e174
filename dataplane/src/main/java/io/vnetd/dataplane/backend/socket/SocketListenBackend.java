package io.vnetd.dataplane.backend.socket;

import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.ListeningBackend;
import io.vnetd.dataplane.backend.io.Ipv4;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.model.netdev.NetdevConfig;

/**
 * {@code socket,listen=}: accepts one TCP connection at a time (the next waits in the backlog until
 * this one ends), describes itself as {@code socket: connection from A:P} while connected and as
 * nothing otherwise, like QEMU's {@code net_socket_accept}. No events.
 */
final class SocketListenBackend extends ListeningBackend {

    SocketListenBackend(BackendEnv env, NetdevConfig.Socket config, int listenFd) {
        super(env, config, listenFd);
    }

    @Override
    protected void onAccepted(int fd) {
        SockAddr peer = Sockets.peerAddress(fd);
        Sockets.setInt(fd, Libc.IPPROTO_TCP, Libc.TCP_NODELAY, 1, "TCP_NODELAY");
        describeAs("socket: connection from " + Ipv4.ntoa(peer.ipv4()) + ":" + peer.port());
    }

    @Override
    protected void onLost() {
        describeAs("");
    }
}
