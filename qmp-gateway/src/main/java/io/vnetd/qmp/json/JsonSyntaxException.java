package io.vnetd.qmp.json;

import java.io.Serial;

/** A parse error inside one JSON text; its message is QEMU's detail after "JSON parse error, ". */
final class JsonSyntaxException extends Exception {
    @Serial
    private static final long serialVersionUID = 1L;

    /** QEMU formats parse errors into a {@code char message[1024]}: longer details are cut. */
    private static final int MAX_DETAIL = 1023;

    JsonSyntaxException(String detail) {
        super(detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail, null, false, false);
    }
}
