package io.vnetd.qmp.command;

/** What a command sees of the QMP session that runs it. */
public interface CommandContext {

    /** Whether {@code qmp_capabilities} has completed on this session. */
    boolean negotiated();

    /** Leaves capabilities negotiation mode; all commands become available. */
    void completeNegotiation(boolean outOfBand);
}
