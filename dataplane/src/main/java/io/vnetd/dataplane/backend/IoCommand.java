package io.vnetd.dataplane.backend;

/** What the control plane asks of an {@link IoAgent}, applied at the start of its next duty cycle. */
sealed interface IoCommand {

    Backend backend();

    /** Serve a backend just opened. */
    record Start(Backend backend) implements IoCommand {
    }

    /** Stop serving a closed backend and close its descriptors. */
    record Stop(Backend backend) implements IoCommand {
    }
}
