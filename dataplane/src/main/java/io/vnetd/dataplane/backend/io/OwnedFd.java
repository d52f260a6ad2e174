package io.vnetd.dataplane.backend.io;

/**
 * A descriptor that set-up code holds until it hands it on: closed when the try-with-resources block
 * that holds it ends, unless {@link #handOver handed over} or {@link #release released} first. So a
 * step that fails between making a descriptor and giving it to its owner (a backend) leaves nothing
 * open, whatever it throws:
 *
 * <pre>{@code
 * try (OwnedFd socket = new OwnedFd(Sockets.socket(...))) {
 *     Sockets.bind(socket.fd(), address, "can't bind");
 *     return socket.handOver(new SomeBackend(env, config, socket.fd()));
 * }
 * }</pre>
 *
 * Set-up threads only.
 */
public final class OwnedFd implements AutoCloseable {

    private int fd;

    /** Owns {@code fd} from now on (nothing, if it is negative). */
    public OwnedFd(int fd) {
        this.fd = fd;
    }

    /** The descriptor, still owned here; -1 once handed on. */
    public int fd() {
        return fd;
    }

    /**
     * Hands the descriptor on to {@code owner}, made from it: the argument is evaluated first, so if
     * making the owner throws, the descriptor is still owned here and closed.
     *
     * @return {@code owner}
     */
    public <T> T handOver(T owner) {
        fd = -1;
        return owner;
    }

    /** Hands the descriptor on to the caller, who closes it from now on. */
    public int release() {
        int released = fd;
        fd = -1;
        return released;
    }

    /** Closes the descriptor unless it was handed on. */
    @Override
    public void close() {
        Sockets.close(release());
    }
}
