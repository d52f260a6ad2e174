package io.vnetd.it.bench.scale;

import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.bench.control.BenchDaemon;
import io.vnetd.it.bench.control.Bounded;
import io.vnetd.it.bench.control.Commands;
import io.vnetd.it.bench.control.LoadClient;
import io.vnetd.it.support.QmpClient;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A start on the journal of a daemon killed with SIGKILL, timed from the process's start: to its ready line, to the
 * first QMP answer ({@code query-version}), and to a net-client listing that holds every client built; then what it
 * recovered is checked against what was built.
 */
record Restart(String start, Duration ready, Duration firstAnswer, Duration allClients, Duration cpuAtReady) {

    static final String WITHOUT_CACHE = "JVM without AOT cache";
    static final String WITH_CACHE = "with bin/aot-cache's cache, as ./vnetd";

    private static final byte[] QUERY_VERSION = Commands.execute("query-version");
    private static final Duration POLL = Duration.ofMillis(5);

    /**
     * Measures the start of {@code daemon}, just launched as {@code start} says; asserts that it recovered
     * {@code built}.
     */
    static Restart measure(String start, BenchDaemon daemon, Population built, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration firstAnswer = Bounded.call(timeout, () -> firstAnswer(daemon));
        daemon.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        JsonNode listing = Bounded.call(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())),
                () -> listingOfAll(daemon.qmpSocket(), built.size()));
        Duration allClients = Duration.ofNanos(System.nanoTime() - daemon.startedAt());
        assertNull(built.mismatch(listing), "the state recovered after kill -9");
        return new Restart(start, daemon.timeToReady(), firstAnswer, allClients, daemon.cpuAtReady());
    }

    /** Connects until the daemon accepts (the socket file left by the killed one refuses until then). */
    private static Duration firstAnswer(BenchDaemon daemon) throws IOException, InterruptedException {
        while (true) {
            try (LoadClient client = LoadClient.open(daemon.qmpSocket())) {
                client.negotiate();
                client.send(QUERY_VERSION);
                client.awaitReturn();
                return Duration.ofNanos(System.nanoTime() - daemon.startedAt());
            } catch (IOException e) {
                if (!daemon.process().isAlive()) {
                    throw new IllegalStateException("vnetd exited during its start", e);
                }
                Thread.sleep(POLL);
            }
        }
    }

    /** Lists until every client is there (vnetd serves QMP only once it has recovered, so the first listing should). */
    private static JsonNode listingOfAll(Path socket, int clients) throws IOException, InterruptedException {
        try (QmpClient qmp = QmpClient.connect(socket)) {
            while (true) {
                JsonNode listing = qmp.ok("__io.vnetd_query-net-clients", null);
                if (listing.size() >= clients) {
                    return listing;
                }
                Thread.sleep(POLL.multipliedBy(20));
            }
        }
    }

    String describe() {
        return String.format(start + ": ready %.2f s (CPU %.2f s), first answer %.2f s, every client listed %.2f s",
                seconds(ready), seconds(cpuAtReady), seconds(firstAnswer), seconds(allClients));
    }

    static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }
}
