package io.vnetd.ops.systemd;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Notifications as a service manager receives them, on a real unix datagram socket in the abstract namespace. */
class SystemdNotifierTest {

    private static final Duration PATIENCE = Duration.ofSeconds(10);

    private final String name = "vnetd-notify-test/" + UUID.randomUUID();

    @Test
    void readyThenStopping() {
        try (Manager manager = new Manager(name)) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), 1);
            notifier.ready("qmp unix:/run/vnetd/qmp.sock; 0 net clients");
            assertEquals(Optional.of("READY=1\nSTATUS=qmp unix:/run/vnetd/qmp.sock; 0 net clients"), manager.receive(PATIENCE));
            notifier.stopping();
            assertEquals(Optional.of("STOPPING=1\nSTATUS=stopping"), manager.receive(PATIENCE));
        }
    }

    @Test
    void keepAlivesStopWhenTheProbeNoLongerAnswersAndBeforeStopping() throws InterruptedException {
        try (Manager manager = new Manager(name)) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(
                    Map.of("NOTIFY_SOCKET", "@" + name, "WATCHDOG_USEC", "100000"), 1);
            AtomicReference<Supplier<CompletionStage<?>>> probe =
                    new AtomicReference<>(() -> CompletableFuture.completedFuture(null));
            notifier.keepAliveWhile(() -> probe.get().get());
            assertEquals(Optional.of("WATCHDOG=1"), manager.receive(PATIENCE));
            assertEquals(Optional.of("WATCHDOG=1"), manager.receive(PATIENCE));

            probe.set(CompletableFuture::new);
            Thread.sleep(300);
            manager.drain();
            assertEquals(Optional.empty(), manager.receive(Duration.ofMillis(600)), "a keep-alive while hung");

            probe.set(() -> CompletableFuture.completedFuture(null));
            assertEquals(Optional.of("WATCHDOG=1"), manager.receive(PATIENCE));
            notifier.stopping();
            String last;
            do {
                last = manager.receive(PATIENCE).orElseThrow();
            } while (last.equals("WATCHDOG=1"));
            assertEquals("STOPPING=1\nSTATUS=stopping", last);
            assertEquals(Optional.empty(), manager.receive(Duration.ofMillis(400)), "a keep-alive after STOPPING=1");
        }
    }

    @Test
    void aManagerThatIsNotListeningStopsNothing() {
        SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "@" + name), 1);
        assertDoesNotThrow(() -> notifier.ready("first"));
        try (Manager manager = new Manager(name)) {
            notifier.ready("second");
            assertEquals(Optional.of("READY=1\nSTATUS=second"), manager.receive(PATIENCE));
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        try (Manager manager = new Manager(name)) {
            SystemdNotifier notifier = SystemdNotifier.fromEnvironment(Map.of("WATCHDOG_USEC", "100000"), 1);
            notifier.ready("unseen");
            notifier.keepAliveWhile(() -> CompletableFuture.completedFuture(null));
            notifier.stopping();
            assertEquals(Optional.empty(), manager.receive(Duration.ofMillis(400)));
        }
    }

    /** The service manager's end: a datagram socket bound to an abstract name. */
    private static final class Manager implements AutoCloseable {

        private final OwnedFd socket;
        private final Arena arena = Arena.ofConfined();
        private final MemorySegment buffer = arena.allocate(4096);

        Manager(String name) {
            socket = new OwnedFd(Sockets.socket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0, "socket"));
            Sockets.bind(socket.fd(), SockAddr.unix(name, true, true), "bind");
        }

        Optional<String> receive(Duration within) {
            long deadline = System.nanoTime() + within.toNanos();
            do {
                long length = Libc.recv(socket.fd(), buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT);
                if (length >= 0) {
                    return Optional.of(new String(buffer.asSlice(0, length).toArray(ValueLayout.JAVA_BYTE),
                            StandardCharsets.UTF_8));
                }
                LockSupport.parkNanos(1_000_000);
            } while (System.nanoTime() < deadline);
            return Optional.empty();
        }

        void drain() {
            Optional<String> left;
            do {
                left = receive(Duration.ZERO);
            } while (left.isPresent());
        }

        @Override
        public void close() {
            socket.close();
            arena.close();
        }
    }
}
