package io.vnetd.model.error;

import java.io.Serial;

/**
 * A command refused by a rule of {@code net.json}: carries QMP's error class and QEMU's wording.
 * No stack trace: this is an answer to the user, not a fault.
 */
public final class NetException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    private final ErrorClass errorClass;

    public NetException(ErrorClass errorClass, String desc) {
        super(desc, null, false, false);
        this.errorClass = errorClass;
    }

    public static NetException generic(String desc) {
        return new NetException(ErrorClass.GenericError, desc);
    }

    public static NetException deviceNotFound(String name) {
        return new NetException(ErrorClass.DeviceNotFound, "Device '" + name + "' not found");
    }

    public ErrorClass errorClass() {
        return errorClass;
    }

    public String desc() {
        return getMessage();
    }
}
