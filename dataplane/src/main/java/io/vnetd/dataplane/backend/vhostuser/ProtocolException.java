package io.vnetd.dataplane.backend.vhostuser;

/** The front-end broke the protocol: the connection is closed and the error counted. */
final class ProtocolException extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolException(String message) {
        super(message, null, false, false);
    }
}
