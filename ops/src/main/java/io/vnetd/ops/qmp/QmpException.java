package io.vnetd.ops.qmp;

import java.io.IOException;

/** The QMP connection failed: it could not be opened or negotiated, it broke, or an answer did not come. */
public final class QmpException extends IOException {

    public QmpException(String message) {
        super(message);
    }

    public QmpException(String message, Throwable cause) {
        super(message, cause);
    }
}
