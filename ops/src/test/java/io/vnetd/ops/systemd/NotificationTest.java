package io.vnetd.ops.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The datagrams of the sd_notify(3) protocol. */
class NotificationTest {

    @Test
    void oneAssignmentALine() {
        assertEquals("READY=1\nSTATUS=qmp unix:/run/vnetd/qmp.sock; 3 net clients", Notification.message(
                new Notification.Ready(), new Notification.Status("qmp unix:/run/vnetd/qmp.sock; 3 net clients")));
        assertEquals("STOPPING=1", Notification.message(new Notification.Stopping()));
        assertEquals("WATCHDOG=1", Notification.message(new Notification.WatchdogKeepAlive()));
    }

    @Test
    void aStatusCannotSmuggleAnotherAssignment() {
        assertEquals("STATUS=failed READY=1", new Notification.Status("failed\nREADY=1").assignment());
        assertEquals("STATUS=a b", new Notification.Status("a\r\nb").assignment());
    }
}
