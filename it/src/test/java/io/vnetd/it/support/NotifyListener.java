package io.vnetd.it.support;

import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;

/**
 * The service manager's end of {@code NOTIFY_SOCKET}: a unix datagram socket bound to a path, through
 * the data plane's FFM socket calls (the JDK's unix sockets are stream sockets only). One thread at a time.
 */
public final class NotifyListener implements AutoCloseable {

    private final Path path;
    private final OwnedFd socket;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment buffer = arena.allocate(4096);

    public NotifyListener(Path path) {
        this.path = path;
        this.socket = new OwnedFd(Sockets.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0, "socket"));
        Sockets.bind(socket.fd(), SockAddr.unix(path.toString(), false, true), "bind " + path);
    }

    public Path path() {
        return path;
    }

    /** The next datagram, if one arrives within {@code within}. */
    public Optional<String> receive(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        do {
            long length = Libc.recv(socket.fd(), buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT);
            if (length >= 0) {
                return Optional.of(new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE),
                        StandardCharsets.UTF_8));
            }
            LockSupport.parkNanos(1_000_000);
        } while (System.nanoTime() < deadline);
        return Optional.empty();
    }

    @Override
    public void close() {
        socket.close();
        arena.close();
    }
}
