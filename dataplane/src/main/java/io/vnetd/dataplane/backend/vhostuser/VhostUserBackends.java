package io.vnetd.dataplane.backend.vhostuser;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.UnixPaths;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import java.nio.charset.StandardCharsets;

/**
 * Opens {@code __io.vnetd_vhost-user-port} netdevs: a server binds and listens on its path when the
 * netdev is added (removing a stale socket file first, as QEMU's {@code server=on} chardev does), so
 * that a path it cannot have is the command's error; a client connects only once the agent serves it.
 */
public final class VhostUserBackends {

    private static final int BACKLOG = 1;

    private VhostUserBackends() {
    }

    public static Backend open(NetdevConfig.VhostUserPort config, BackendEnv env) {
        config.validate();
        if (config.path().getBytes(StandardCharsets.UTF_8).length > SockAddr.UNIX_PATH_MAX) {
            throw NetException.generic("UNIX socket path '" + config.path() + "' is too long");
        }
        if (!config.isServer()) {
            return new VhostUserBackend(env, config, -1);
        }
        try {
            UnixPaths.unlinkStale(config.path(), "Failed to unlink socket " + config.path());
            try (OwnedFd socket = new OwnedFd(Sockets.socket(Libc.AF_UNIX, Libc.SOCK_STREAM, 0,
                    "Failed to create socket"))) {
                Sockets.bind(socket.fd(), SockAddr.unix(config.path(), false, false),
                        "Failed to bind socket to " + config.path());
                int errno = Sockets.tryListen(socket.fd(), BACKLOG);
                if (errno != 0) {
                    throw new ErrnoException("Failed to listen on socket", errno);
                }
                return socket.handOver(new VhostUserBackend(env, config, socket.fd()));
            }
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }
}
