package io.vnetd.it.guest;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.it.tap.Host;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Real Linux guests whose NICs reach vnetd over QEMU 7.2's stream netdev (the guest's QEMU listens on
 * a UNIX socket, vnetd's stream netdev connects to it and reconnects), and a network namespace
 * behind a vnetd tap port on the same hub.
 */
class StreamGuestsIT extends GuestsOnVnetd {

    private static final String NAMESPACE = "vtguest";
    private static final String TAP = "vtguest0";

    @Override
    Attachment attachment() {
        return new Attachment.Stream();
    }

    @Override
    String subnet() {
        return "198.18.225";
    }

    /**
     * A namespace behind a tap port and the guest behind a stream port answer each other, as do the
     * namespace and the other guest, a second QEMU on a stream netdev.
     */
    @Test
    void aGuestAndANetworkNamespaceBehindATapPortReachEachOther() throws Exception {
        Host.assumeTapsAndNamespaces();
        Host.remove(List.of(NAMESPACE), List.of(TAP));
        String namespaceAddress = subnet() + ".3";
        try {
            Host.must("ip", "netns", "add", NAMESPACE);
            vnetd.ok("netdev_add", "{\"type\":\"tap\",\"id\":\"gtap\",\"ifname\":\"" + TAP + "\",\"script\":\"no\",\"downscript\":\"no\"}");
            vnetd.ok("netdev_add", "{\"type\":\"hubport\",\"id\":\"hp-gtap\",\"hubid\":0,\"netdev\":\"gtap\"}");
            assertTrue(Host.await(() -> Host.interfaceExists(TAP), 30), "vnetd made the tap " + TAP);
            Host.moveAndAddress(TAP, NAMESPACE, namespaceAddress + "/24");

            assertAnswers(a, namespaceAddress, ANSWER);
            assertTrue(Host.ping(NAMESPACE, addressOf(a), 10), "the namespace reaches guest a");
            assertTrue(Host.ping(NAMESPACE, addressOf(b), 10), "the namespace reaches guest b");
        } finally {
            vnetd.execute("netdev_del", "{\"id\":\"hp-gtap\"}");
            vnetd.execute("netdev_del", "{\"id\":\"gtap\"}");
            Host.remove(List.of(NAMESPACE), List.of(TAP));
        }
    }
}
