package io.vnetd.it.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.it.support.NotifyListener;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The daemon under a service manager: what it tells the socket named by {@code NOTIFY_SOCKET}, and when. */
class SystemdNotifyIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void readyOnceQmpServesKeepAlivesWhileRunningStoppingOnSigterm() throws Exception {
        Path data = dir.resolve("var");
        try (NotifyListener manager = new NotifyListener(dir.resolve("notify"))) {
            // As the manager would: on READY=1, connect at once; the greeting shows QMP was serving by then.
            CompletableFuture<String> greetingAfterReady = CompletableFuture.supplyAsync(() -> {
                String first = manager.receive(PATIENCE).orElseThrow();
                try (QmpClient qmp = QmpClient.connectRaw(data.resolve("qmp.sock"))) {
                    return first + "\n" + qmp.greeting().path("QMP").path("version").path("package").asText();
                } catch (Exception e) {
                    return first + "\nno QMP: " + e;
                }
            }, task -> Thread.ofPlatform().daemon().start(task));
            try (VnetdProcess daemon = VnetdProcess.startWithEnvironment(
                    Map.of("NOTIFY_SOCKET", manager.path().toString(), "WATCHDOG_USEC", "2000000"),
                    data, "-netdev", "hubport,id=h0,hubid=0")) {
                String[] ready = greetingAfterReady.get(PATIENCE.toSeconds(), TimeUnit.SECONDS).split("\n");
                assertEquals("READY=1", ready[0], "the first notification");
                assertEquals("STATUS=serving qmp unix:" + daemon.qmpSocket(), ready[1]);
                assertTrue(ready[2].startsWith("vnetd "), "QMP's greeting right after READY=1: " + ready[2]);

                // Every second (half of WATCHDOG_USEC); two within ten seconds leaves room for a slow machine.
                List<String> keepAlives = new ArrayList<>();
                long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (keepAlives.size() < 2 && System.nanoTime() < deadline) {
                    manager.receive(Duration.ofSeconds(1)).ifPresent(keepAlives::add);
                }
                assertEquals(List.of("WATCHDOG=1", "WATCHDOG=1"), keepAlives);

                assertEquals(0, daemon.terminate());
                Optional<String> stopping;
                do {
                    stopping = manager.receive(Duration.ofSeconds(5));
                } while (stopping.equals(Optional.of("WATCHDOG=1")));
                // Sent by the daemon itself, so before it exited.
                assertEquals(Optional.of("STOPPING=1\nSTATUS=stopping"), stopping);
                assertEquals(Optional.empty(), manager.receive(Duration.ofMillis(500)), "nothing after STOPPING=1");
            }
        }
    }

    @Test
    void aNotifySocketNobodyListensOnStopsNothing() throws Exception {
        try (VnetdProcess daemon = VnetdProcess.startWithEnvironment(
                Map.of("NOTIFY_SOCKET", dir.resolve("nobody").toString(), "WATCHDOG_USEC", "500000"), dir.resolve("var"))) {
            Thread.sleep(1500);
            try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                assertTrue(qmp.ok("query-version", null).path("package").asText().startsWith("vnetd "));
            }
            assertEquals(0, daemon.terminate());
            long warnings = daemon.stderr().lines().filter(line -> line.contains("cannot notify the service manager")).count();
            assertEquals(1, warnings, daemon.stderr());
        }
    }
}
