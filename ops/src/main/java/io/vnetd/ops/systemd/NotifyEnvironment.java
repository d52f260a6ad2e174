package io.vnetd.ops.systemd;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What the service manager asks of this process through its environment: where to send notifications
 * ({@code NOTIFY_SOCKET}, {@code sd_notify(3)}) and whether and how often to send keep-alives
 * ({@code WATCHDOG_USEC} and {@code WATCHDOG_PID}, {@code sd_watchdog_enabled(3)}).
 *
 * @param socket           where notifications go; empty when not run by a service manager that wants them
 * @param watchdogTimeout  how long the manager waits for a keep-alive before it deems the service hung
 */
public record NotifyEnvironment(Optional<NotifySocket> socket, Optional<Duration> watchdogTimeout) {

    /**
     * Reads {@code environment} as the process {@code pid} would.
     *
     * @throws IllegalArgumentException if {@code NOTIFY_SOCKET} is neither a path nor an abstract name
     */
    public static NotifyEnvironment of(Map<String, String> environment, long pid) {
        Optional<NotifySocket> socket = Optional.ofNullable(environment.get("NOTIFY_SOCKET"))
                .filter(value -> !value.isEmpty())
                .map(NotifySocket::parse);
        return new NotifyEnvironment(socket,
                socket.flatMap(s -> watchdogTimeout(environment.get("WATCHDOG_USEC"), environment.get("WATCHDOG_PID"), pid)));
    }

    /**
     * The watchdog's timeout, as {@code sd_watchdog_enabled(3)} decides it: only for a positive
     * {@code WATCHDOG_USEC}, and, when {@code WATCHDOG_PID} is set, only for the process it names (the
     * variables are inherited by children, which must not keep a hung parent alive).
     */
    static Optional<Duration> watchdogTimeout(String usec, String watchdogPid, long pid) {
        Optional<Long> timeout = positive(usec);
        if (watchdogPid != null && !positive(watchdogPid).equals(Optional.of(pid))) {
            return Optional.empty();
        }
        return timeout.map(Duration.ofNanos(1000)::multipliedBy);
    }

    /** Half the timeout, as {@code sd_watchdog_enabled(3)} advises: one late keep-alive is not yet a hang. */
    public Optional<Duration> keepAliveInterval() {
        return watchdogTimeout.map(timeout -> timeout.dividedBy(2));
    }

    private static Optional<Long> positive(String value) {
        if (value == null) {
            return Optional.empty();
        }
        try {
            long parsed = Long.parseLong(value);
            return parsed > 0 ? Optional.of(parsed) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /**
     * The service manager's notification socket: a unix datagram socket in the file system, or, for
     * a value that starts with {@code @}, in the abstract namespace.
     */
    public record NotifySocket(String name, boolean inAbstractNamespace) {

        static NotifySocket parse(String value) {
            if (value.startsWith("@") && value.length() > 1) {
                return new NotifySocket(value.substring(1), true);
            }
            if (value.startsWith("/")) {
                return new NotifySocket(value, false);
            }
            throw new IllegalArgumentException("NOTIFY_SOCKET=" + value + " is neither an absolute path nor an @abstract name");
        }

        @Override
        public String toString() {
            return inAbstractNamespace ? "@" + name : name;
        }
    }
}
