package io.vnetd.it.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two real Linux guests (Debian's kernel, a busybox userland: {@link GuestKit}) whose NICs are
 * attached to netdevs of one vnetd daemon, both on hub 0, as a subclass's {@link Attachment} says.
 * The guests boot once for the class, side by side; each test leaves the daemon running and the links
 * up, as it found them. Each test checks what a guest's user sees: whether ping gets an answer.
 */
@Tag("guest")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class GuestsOnVnetd {

    /** Long enough for ARP and an echo between two TCG guests on a busy host (one ping a second). */
    static final Duration ANSWER = Duration.ofSeconds(20);
    /** Long enough to show that nothing comes back (one ping a second), short enough to keep the suite quick. */
    static final Duration SILENCE = Duration.ofSeconds(3);
    /** A restarted vnetd replays its journal, then its netdevs reconnect (every second). */
    static final Duration RECONNECTED = Duration.ofSeconds(60);

    @RegisterExtension
    final ConsolesOnFailure consoles = new ConsolesOnFailure();

    Path dir;
    VnetdProcess daemon;
    QmpClient vnetd;
    Guest a;
    Guest b;

    /** How the guests' NICs reach vnetd. */
    abstract Attachment attachment();

    /** The first three octets of the guests' /24, one per class so that no two classes share a network. */
    abstract String subnet();

    String addressOf(Guest guest) {
        return subnet() + (guest == a ? ".1" : ".2");
    }

    Path dataDir() {
        return dir.resolve("vnetd");
    }

    @BeforeAll
    void bootTwoGuests(@TempDir Path dir) throws Exception {
        this.dir = dir;
        GuestKit kit = GuestKit.get();
        daemon = VnetdProcess.start(dataDir());
        vnetd = QmpClient.connect(daemon.qmpSocket());
        Attachment attachment = attachment();
        attachment.assumeOffered(vnetd);
        Path socketA = dir.resolve("nic-a.sock");
        Path socketB = dir.resolve("nic-b.sock");
        if (attachment.vnetdFirst()) {
            attach("ga", socketA);
            attach("gb", socketB);
        }
        a = Guest.start(kit, dir, "a", subnet() + ".1/24", "52:54:00:56:00:01", attachment, socketA);
        consoles.watch(a);
        b = Guest.start(kit, dir, "b", subnet() + ".2/24", "52:54:00:56:00:02", attachment, socketB);
        consoles.watch(b);
        if (!attachment.vnetdFirst()) {
            attach("ga", socketA);
            attach("gb", socketB);
        }
        a.awaitReady();
        b.awaitReady();
    }

    /** vnetd's end of a guest's NIC, {@code id}, on hub 0. */
    private void attach(String id, Path socket) throws IOException {
        vnetd.ok("netdev_add", attachment().vnetdNetdev(id, socket));
        vnetd.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp-" + id + "\",\"hubid\":0,\"netdev\":\"" + id + "\"}");
    }

    @AfterAll
    void stopEverything() throws Exception {
        for (Guest guest : new Guest[] {a, b}) {
            if (guest != null) {
                guest.close();
            }
        }
        if (vnetd != null) {
            vnetd.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    /** Beyond the time a guest's ping command is meant to take, for a guest slowed by a busy host. */
    private static final Duration PING_MARGIN = Duration.ofSeconds(10);

    /**
     * Pings {@code address} from {@code from} once a second until the first answer, for about
     * {@code deadline}. One busybox ping per attempt: with {@code -c} it sends no more than that many,
     * and waits {@code -W} after the last whatever {@code -w} says.
     */
    static Guest.Result ping(Guest from, String address, Duration deadline) throws IOException, InterruptedException {
        return from.run("for attempt in $(seq " + deadline.toSeconds() + "); do ping -c 1 -W 1 " + address
                + " && exit 0; done; exit 1", deadline.plus(PING_MARGIN));
    }

    static void assertAnswers(Guest from, String address, Duration deadline) throws IOException, InterruptedException {
        Guest.Result result = ping(from, address, deadline);
        assertTrue(result.ok(), "guest " + from.name() + " got no answer from " + address + ":\n" + result.output());
    }

    /** Ping itself ran and got no answer (busybox ping's status 1), rather than failing in some other way. */
    static void assertSilent(Guest from, String address) throws IOException, InterruptedException {
        Guest.Result result = from.run("ping -c " + SILENCE.toSeconds() + " -W 1 " + address, SILENCE.plus(PING_MARGIN));
        assertEquals(1, result.status(), "guest " + from.name() + " pinging " + address + " (1: no answer):\n" + result.output());
    }

    @Test
    void twoGuestsOnOneHubPingEachOther() throws Exception {
        assertAnswers(a, addressOf(b), ANSWER);
        assertAnswers(b, addressOf(a), ANSWER);
    }

    @Test
    void setLinkDownStopsAGuestsTrafficAndUpRestoresIt() throws Exception {
        assertAnswers(a, addressOf(b), ANSWER);
        vnetd.ok("set_link", "{\"name\":\"ga\",\"up\":false}");
        try {
            assertSilent(a, addressOf(b));
            assertSilent(b, addressOf(a));
        } finally {
            vnetd.ok("set_link", "{\"name\":\"ga\",\"up\":true}");
        }
        assertAnswers(a, addressOf(b), ANSWER);
        assertAnswers(b, addressOf(a), ANSWER);
    }

    @Test
    void aGuestsTrafficResumesAfterKillDashNineOfVnetdAndARestart() throws Exception {
        assertAnswers(a, addressOf(b), ANSWER);
        vnetd.close();
        daemon.kill();
        try {
            assertSilent(a, addressOf(b));
        } finally {
            daemon = VnetdProcess.start(dataDir());
            vnetd = QmpClient.connect(daemon.qmpSocket());
        }
        assertAnswers(a, addressOf(b), RECONNECTED);
        assertAnswers(b, addressOf(a), ANSWER);
    }
}
