package io.vnetd.dataplane.backend;

import io.vnetd.dataplane.backend.io.AddrInfo;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;

/**
 * Resolves host and service names off the agents, which must never block: one daemon thread, made
 * on first use, runs {@code getaddrinfo(3)} for each request in turn, as QEMU resolves a stream
 * client's address in a worker thread. An agent polls the returned future between duty cycles.
 */
public final class Resolver implements AutoCloseable {

    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "vnetd-resolver");
        thread.setDaemon(true);
        return thread;
    });

    /** {@link AddrInfo#lookup}, later; the future fails with {@link AddrInfo.LookupException}. */
    public CompletableFuture<List<AddrInfo.Entry>> lookup(String node, String service, int family, int socktype,
                                                          int flags) {
        CompletableFuture<List<AddrInfo.Entry>> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    result.complete(AddrInfo.lookup(node, service, family, socktype, flags));
                } catch (AddrInfo.LookupException | RuntimeException e) {
                    result.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e);
        }
        return result;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
