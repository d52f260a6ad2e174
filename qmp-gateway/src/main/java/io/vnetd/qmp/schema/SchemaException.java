package io.vnetd.qmp.schema;

import java.io.Serial;

/** The QAPI schema is malformed or inconsistent: a defect of the build, reported with its location. */
public final class SchemaException extends RuntimeException {
    @Serial
    private static final long serialVersionUID = 1L;

    public SchemaException(String message) {
        super(message);
    }
}
