package io.vnetd.ops.systemd;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A state change told to the service manager: one {@code VARIABLE=VALUE} assignment of the
 * {@code sd_notify(3)} protocol. One datagram carries several, a line each.
 */
public sealed interface Notification {

    /** The assignment as it goes on the wire. */
    String assignment();

    /** The datagram that carries {@code notifications}, in that order. */
    static String message(Notification... notifications) {
        return Arrays.stream(notifications).map(Notification::assignment).collect(Collectors.joining("\n"));
    }

    /** Start-up is complete: QMP accepts connections. */
    record Ready() implements Notification {
        @Override
        public String assignment() {
            return "READY=1";
        }
    }

    /** Shutdown has begun. */
    record Stopping() implements Notification {
        @Override
        public String assignment() {
            return "STOPPING=1";
        }
    }

    /** The watchdog keep-alive. */
    record WatchdogKeepAlive() implements Notification {
        @Override
        public String assignment() {
            return "WATCHDOG=1";
        }
    }

    /** What {@code systemctl status} shows; one line, since a line break would end the assignment. */
    record Status(String text) implements Notification {
        @Override
        public String assignment() {
            return "STATUS=" + text.replaceAll("[\\r\\n]+", " ");
        }
    }
}
