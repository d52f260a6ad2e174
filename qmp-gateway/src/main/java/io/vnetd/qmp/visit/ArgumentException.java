package io.vnetd.qmp.visit;

import java.io.Serial;

/** Arguments that do not fit the schema; the message is QEMU's wording (a {@code GenericError}). */
public final class ArgumentException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    ArgumentException(String message) {
        super(message, null, false, false);
    }
}
