package io.vnetd.it.guest;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Puts what the guests printed (console, QEMU's output, command transcript) into a failing test's
 * report, and into its standard output, which failsafe keeps beside the report.
 */
final class ConsolesOnFailure implements TestExecutionExceptionHandler, LifecycleMethodExecutionExceptionHandler {

    /** A guest's output attached to a failure; its stack trace would say nothing. */
    static final class GuestOutput extends Exception {
        GuestOutput(String output) {
            super(output, null, false, false);
        }
    }

    private final List<Guest> guests = new CopyOnWriteArrayList<>();

    void watch(Guest guest) {
        guests.add(guest);
    }

    void forget(Guest guest) {
        guests.remove(guest);
    }

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withConsoles(failure);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withConsoles(failure);
    }

    private Throwable withConsoles(Throwable failure) {
        if (failure instanceof org.opentest4j.TestAbortedException) {
            return failure;
        }
        for (Guest guest : guests) {
            String output = guest.diagnostics();
            System.out.println(output);
            failure.addSuppressed(new GuestOutput(output));
        }
        return failure;
    }
}
