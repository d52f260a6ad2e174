package io.vnetd.model.nic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.error.NetException;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guest-side properties of device_add: what they take, and QEMU's wording for what they do not. */
class GuestSideTest {

    private static Optional<GuestSide> of(NicModel model, String guest, String netns) {
        return GuestSide.fromProperties(model, Optional.ofNullable(guest), Optional.ofNullable(netns));
    }

    private static String refusal(NicModel model, String guest, String netns) {
        return assertThrows(NetException.class, () -> of(model, guest, netns)).desc();
    }

    @Test
    void aTapInANamespaceOrInVnetdsOwn() {
        assertEquals(Optional.empty(), of(NicModel.VIRTIO_NET_PCI, null, null));
        assertEquals(Optional.of(new GuestSide("vtg0", Optional.empty())), of(NicModel.VIRTIO_NET_PCI, "tap:vtg0", null));
        assertEquals(Optional.of(new GuestSide("vtg0", Optional.of("guest1"))),
                of(NicModel.VIRTIO_NET_DEVICE, "tap:vtg0", "guest1"));
    }

    @Test
    void badValuesAreRefusedAsQemuRefusesAPropertyValue() {
        String owner = "Property 'virtio-net-device.__io.vnetd_guest' doesn't take value '";
        for (String bad : new String[] {"vtg0", "tap:", "tap:a/b", "tap:tap%d", "tap:0123456789abcdef", "tap:a b",
                "vhost:x", "tap:.."}) {
            assertEquals(owner + bad + "'", refusal(NicModel.VIRTIO_NET_PCI, bad, null), bad);
        }
        assertEquals("Property 'virtio-net-device.__io.vnetd_guest-netns' doesn't take value 'a/b'",
                refusal(NicModel.VIRTIO_NET_PCI, "tap:vtg0", "a/b"));
        assertEquals("Property 'virtio-net-device.__io.vnetd_guest-netns' needs property '__io.vnetd_guest'",
                refusal(NicModel.VIRTIO_NET_PCI, null, "ns"));
    }

    @Test
    void onlyVirtioNetHasTheProperties() {
        assertEquals("Property 'e1000.__io.vnetd_guest' not found", refusal(NicModel.E1000, "tap:vtg0", null));
        assertEquals("Property 'e1000.__io.vnetd_guest-netns' not found", refusal(NicModel.E1000, null, "ns"));
    }

    @Test
    void deviceAddPropertiesCarryThemToTheRequest() {
        NicRequest request = NicRequest.fromProperties(Map.of("driver", "virtio-net-pci", "id", "n0",
                GuestSide.PROPERTY, "tap:vtg0", GuestSide.NETNS_PROPERTY, "ns"));
        assertEquals(Optional.of("tap:vtg0"), request.guest());
        assertEquals(Optional.of("ns"), request.guestNetns());
        assertEquals(java.util.List.of(), request.unknownProperties());
    }
}
