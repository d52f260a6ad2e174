package io.vnetd.ops.node;

import java.io.Serial;

/** Why the daemon cannot start, in one line for the user; no stack trace is owed. */
public final class StartupException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public StartupException(String message) {
        super(message, null, false, false);
    }
}
