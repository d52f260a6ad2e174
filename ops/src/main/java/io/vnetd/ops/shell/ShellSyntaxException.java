package io.vnetd.ops.shell;

/** A shell line that cannot be made into a QMP request; nothing was sent. */
public final class ShellSyntaxException extends Exception {

    public ShellSyntaxException(String message) {
        super(message);
    }
}
