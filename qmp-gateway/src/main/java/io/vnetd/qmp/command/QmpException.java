package io.vnetd.qmp.command;

import io.vnetd.model.error.ErrorClass;
import java.io.Serial;

/** A command or request refused with a QMP error: its class and QEMU's description. No stack trace. */
public final class QmpException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    public QmpException(ErrorClass errorClass, String desc) {
        super(desc, null, false, false);
        this.errorClass = errorClass;
    }

    public static QmpException generic(String desc) {
        return new QmpException(ErrorClass.GenericError, desc);
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    public String desc() {
        return getMessage();
    }
}
