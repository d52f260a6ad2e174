package io.vnetd.qmp.command;

/** The arguments of a command that takes none. */
public record NoArguments() {
}
