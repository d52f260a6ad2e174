package io.vnetd.ops.systemd;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.SockAddr;
import io.vnetd.dataplane.backend.io.Sockets;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the service manager that started vnetd (systemd, with {@code Type=notify}) when it is ready,
 * when it stops, and that it is still alive, over the unix datagram socket named by
 * {@code NOTIFY_SOCKET}. Without that variable it does nothing. A notification that cannot be sent
 * never stops the daemon: the first failure is logged, later ones are not, and the service manager
 * acts on what it misses (a start that times out, a watchdog that fires).
 *
 * <p>{@link #ready}, {@link #keepAliveWhile} and {@link #stopping} are called by the launcher's thread.
 */
public final class SystemdNotifier {

    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final Optional<SockAddr> socket;
    private final Optional<Duration> keepAliveInterval;
    private final AtomicBoolean failureLogged = new AtomicBoolean();
    private Optional<ScheduledExecutorService> keepAlives = Optional.empty();

    private SystemdNotifier(Optional<SockAddr> socket, Optional<Duration> keepAliveInterval) {
        this.socket = socket;
        this.keepAliveInterval = keepAliveInterval;
    }

    /** A notifier for what {@code environment} asks of the process {@code pid}. */
    public static SystemdNotifier fromEnvironment(Map<String, String> environment, long pid) {
        NotifyEnvironment asked;
        Optional<SockAddr> socket;
        try {
            asked = NotifyEnvironment.of(environment, pid);
            socket = asked.socket().map(s -> SockAddr.unix(s.name(), s.inAbstractNamespace(), true));
        } catch (IllegalArgumentException e) {
            LOG.warn("not notifying the service manager: {}", e.getMessage());
            return new SystemdNotifier(Optional.empty(), Optional.empty());
        }
        socket.ifPresent(address -> LOG.info("notifying the service manager at {}{}", address,
                asked.keepAliveInterval().map(every -> ", a watchdog keep-alive every " + every).orElse("")));
        return new SystemdNotifier(socket, asked.keepAliveInterval());
    }

    /** {@code READY=1} with {@code status}: QMP accepts connections. */
    public void ready(String status) {
        send(new Notification.Ready(), new Notification.Status(status));
    }

    /**
     * Sends a watchdog keep-alive at every interval the environment asks for, each only once
     * {@code probe} has completed within that interval, so that a daemon whose actors no longer run
     * falls silent and is restarted.
     */
    public void keepAliveWhile(Supplier<CompletionStage<?>> probe) {
        keepAlives = keepAliveInterval.map(interval -> {
            ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
                    task -> Thread.ofPlatform().daemon().name("vnetd-watchdog").unstarted(task));
            timer.scheduleWithFixedDelay(() -> keepAliveIfResponsive(probe, interval),
                    0, interval.toNanos(), TimeUnit.NANOSECONDS);
            return timer;
        });
    }

    /** {@code STOPPING=1}, after the last keep-alive: the watchdog does not watch a stopping service. */
    public void stopping() {
        keepAlives.ifPresent(timer -> {
            timer.shutdownNow();
            try {
                timer.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        send(new Notification.Stopping(), new Notification.Status("stopping"));
    }

    private void keepAliveIfResponsive(Supplier<CompletionStage<?>> probe, Duration interval) {
        try {
            probe.get().toCompletableFuture().get(interval.toNanos(), TimeUnit.NANOSECONDS);
            send(new Notification.WatchdogKeepAlive());
        } catch (TimeoutException e) {
            LOG.warn("no watchdog keep-alive: the daemon did not answer its liveness probe within {}", interval);
        } catch (ExecutionException e) {
            LOG.warn("no watchdog keep-alive: {}", e.getCause().toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void send(Notification... notifications) {
        socket.ifPresent(address -> {
            byte[] message = Notification.message(notifications).getBytes(StandardCharsets.UTF_8);
            // A socket per message, as sd_notify(3) does: nothing to keep right if the manager re-binds its socket.
            try (OwnedFd sender = new OwnedFd(Sockets.blockingSocket(Libc.AF_UNIX, Libc.SOCK_DGRAM, 0, "socket"))) {
                int errno = Sockets.connect(sender.fd(), address);
                if (errno != 0) {
                    throw new ErrnoException("connect", errno);
                }
                errno = Sockets.trySend(sender.fd(), message);
                if (errno != 0) {
                    throw new ErrnoException("send", errno);
                }
            } catch (RuntimeException e) {
                // Whatever failed, the daemon serves on; the manager acts on the notification it lacks.
                if (failureLogged.compareAndSet(false, true)) {
                    LOG.warn("cannot notify the service manager at {} ({}); later failures are not logged",
                            address, e.getMessage());
                }
            }
        });
    }
}
