package io.vnetd.dataplane.affinity;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * An agent's start on its thread: pinned to its CPUs, if any, and then known to have started, so
 * that whoever starts the thread can wait for it and hear why it could not start.
 */
public final class AgentStart {

    private final int[] cpus;
    private final CompletableFuture<Void> started = new CompletableFuture<>();

    /** @param cpus the CPUs the agent's thread is pinned to; empty pins nothing */
    public AgentStart(int[] cpus) {
        this.cpus = cpus.clone();
    }

    /**
     * Called by the agent's {@code onStart}: pins the current thread and releases
     * {@link #await()}; a failure is rethrown here and to the waiter.
     */
    public void onAgentThread() {
        try {
            if (cpus.length > 0) {
                CpuAffinity.pinCurrentThread(cpus);
            }
            started.complete(null);
        } catch (RuntimeException e) {
            started.completeExceptionally(e);
            throw e;
        }
    }

    /** Waits until {@link #onAgentThread} has run; rethrows what it threw. */
    public void await() {
        try {
            started.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            throw e;
        }
    }
}
