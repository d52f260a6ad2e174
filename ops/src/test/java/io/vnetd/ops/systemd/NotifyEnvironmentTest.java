package io.vnetd.ops.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.ops.systemd.NotifyEnvironment.NotifySocket;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The environment a service manager sets, read as sd_notify(3) and sd_watchdog_enabled(3) read it. */
class NotifyEnvironmentTest {

    private static final long PID = 4242;

    @Test
    void withoutNotifySocketNothingIsSentNotEvenKeepAlives() {
        NotifyEnvironment none = NotifyEnvironment.of(Map.of("WATCHDOG_USEC", "2000000"), PID);
        assertEquals(new NotifyEnvironment(Optional.empty(), Optional.empty()), none);
        assertEquals(Optional.empty(), NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", ""), PID).socket());
    }

    @Test
    void aPathOrAnAbstractName() {
        assertEquals(Optional.of(new NotifySocket("/run/systemd/notify", false)),
                NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "/run/systemd/notify"), PID).socket());
        assertEquals(Optional.of(new NotifySocket("org/freedesktop/systemd1/notify/7", true)),
                NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", "@org/freedesktop/systemd1/notify/7"), PID).socket());
    }

    @Test
    void anythingElseIsRefusedByName() {
        for (String value : new String[] {"run/notify", "vsock:2:1234", "@"}) {
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                    () -> NotifyEnvironment.of(Map.of("NOTIFY_SOCKET", value), PID));
            assertEquals("NOTIFY_SOCKET=" + value + " is neither an absolute path nor an @abstract name",
                    refused.getMessage());
        }
    }

    @Test
    void keepAlivesAtHalfTheWatchdogTimeout() {
        NotifyEnvironment watched = NotifyEnvironment.of(
                Map.of("NOTIFY_SOCKET", "/run/systemd/notify", "WATCHDOG_USEC", "2000000"), PID);
        assertEquals(Optional.of(Duration.ofSeconds(2)), watched.watchdogTimeout());
        assertEquals(Optional.of(Duration.ofSeconds(1)), watched.keepAliveInterval());
    }

    @Test
    void watchdogPidLimitsKeepAlivesToTheProcessItNames() {
        assertEquals(Optional.of(Duration.ofMillis(500)), NotifyEnvironment.watchdogTimeout("500000", "4242", PID));
        assertEquals(Optional.empty(), NotifyEnvironment.watchdogTimeout("500000", "4243", PID));
        assertEquals(Optional.empty(), NotifyEnvironment.watchdogTimeout("500000", "not-a-pid", PID));
        assertEquals(Optional.empty(), NotifyEnvironment.watchdogTimeout("500000", "0", PID));
    }

    @Test
    void noWatchdogWithoutAPositiveTimeout() {
        for (String usec : new String[] {null, "", "0", "-1", "2s", "18446744073709551615"}) {
            assertEquals(Optional.empty(), NotifyEnvironment.watchdogTimeout(usec, null, PID), "WATCHDOG_USEC=" + usec);
        }
    }
}
