package io.vnetd.dataplane.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.Harness;
import io.vnetd.dataplane.switching.PortTag;
import org.junit.jupiter.api.Test;

class PortRegistryTest {

    @Test
    void aFreedSlotWaitsForAThousandOthersBeforeItIsHandedOutAgain() {
        try (DataPlane dp = DataPlane.create(Harness.smallRings())) {
            EndpointPort first = dp.attachEndpoint("first");
            int slot = PortTag.slot(first.tag());
            first.close();
            for (int i = 0; i < PortRegistry.REUSE_AFTER; i++) {
                EndpointPort other = dp.attachEndpoint("e" + i);
                assertNotEquals(slot, PortTag.slot(other.tag()), "open " + i);
                other.close();
                dp.switchingAgent().doWork();
            }

            EndpointPort again = dp.attachEndpoint("again");

            assertEquals(slot, PortTag.slot(again.tag()), "the oldest freed slot, once more than enough wait");
            assertNotEquals(first.tag(), again.tag(), "with a new generation");
        }
    }
}
