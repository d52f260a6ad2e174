package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** A data plane with the default settings holds a large network: nothing caps it below 100,000 ports. */
class ScaleTest {

    private static final int HUBPORTS = 100_000;
    private static final int HUBS = 100;

    @Test
    void aHundredThousandHubportsOpenWithTheDefaultsAndTheLastOnesCarryFrames() {
        try (Harness h = new Harness(Harness.smallRings())) {
            for (int i = 0; i < HUBPORTS; i++) {
                h.hubport("h" + i, i % HUBS);
                if (i % 1024 == 1023) {
                    h.step();
                }
            }
            // Two endpoints on the hub of the last hubports, each peered with one of them.
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.dataPlane.connect(netdev("a"), netdev("h" + (HUBPORTS - 1)));
            h.dataPlane.connect(netdev("b"), netdev("h" + (HUBPORTS - 1 - HUBS)));
            h.step();

            a.send(frame(MAC_B, MAC_A, 1));
            h.step();

            assertEquals(1, b.received().size());
            assertEquals(HUBPORTS + 2, h.dataPlane.counters().size());
            assertEquals(1, h.counters("h" + (HUBPORTS - 1)).get(RX_FRAMES));
            assertEquals(1, h.counters("h" + (HUBPORTS - 1 - HUBS)).get(TX_FRAMES));
        }
    }

    @Test
    void slotsOfClosedPortsAreReusedSoOpeningAndClosingDoesNotGrowTheTables() {
        try (Harness h = new Harness(Harness.smallRings().maxPorts(3))) {
            TestEndpoint a = h.endpoint("a");
            TestEndpoint b = h.endpoint("b");
            h.dataPlane.connect(netdev("a"), netdev("b"));
            for (int i = 0; i < 10_000; i++) {
                h.hubport("h", 0);
                h.dataPlane.close(netdev("h"));
                if (i % 32 == 31) {
                    h.step();
                }
            }
            h.step();

            a.send(frame(MAC_B, MAC_A, 1));
            h.step();
            assertEquals(1, b.received().size());
        }
    }
}
