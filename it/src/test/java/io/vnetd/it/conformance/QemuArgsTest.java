package io.vnetd.it.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class QemuArgsTest {

    @Test
    void netdevAndDeviceOptionsAreKeptAndMachineOptionsDropped() {
        assertEquals(List.of("-netdev", "hubport,id=h0,hubid=0", "-device", "virtio-net-pci,id=vnic,netdev=h0,bus=rp1,romfile="),
                QemuArgs.forVnetd(List.of("-M", "q35", "-S", "-nodefaults", "-display", "none", "-accel", "tcg",
                        "-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1,addr=0x2",
                        "--netdev", "hubport,id=h0,hubid=0", "-device", "virtio-net-pci,id=vnic,netdev=h0,bus=rp1,romfile=")));
    }

    @Test
    void anOptionWithoutADecisionIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QemuArgs.forVnetd(List.of("-object", "memory-backend-ram,id=m,size=1M")));
        assertEquals("QEMU option -object has no meaning decided for vnetd yet: add it to QemuArgs (kept or dropped)"
                + " and to docs/conformance.md", e.getMessage());
    }
}
