package io.vnetd.dataplane.backend.io;

import java.io.Serial;

/**
 * A system call failed: the message is QEMU's {@code error_setg_errno} form, what was being done then
 * the C library's text for {@code errno} ({@code can't bind ip=127.0.0.1 to socket: Address already in use}).
 */
public final class ErrnoException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int errno;

    public ErrnoException(String what, int errno) {
        super(what + ": " + Libc.strerror(errno), null, false, false);
        this.errno = errno;
    }

    public int errno() {
        return errno;
    }
}
