package io.vnetd.model.nic;

import java.util.Arrays;
import java.util.Optional;

/** The NIC models {@code device_add} creates, with the facts about each that QEMU's answers reveal. */
public enum NicModel {
    VIRTIO_NET_PCI("virtio-net-pci", "virtio-net-device", true),
    VIRTIO_NET_DEVICE("virtio-net-device", "virtio-net-device", true),
    E1000("e1000", "e1000", false),
    E1000E("e1000e", "e1000e", false),
    RTL8139("rtl8139", "rtl8139", false),
    NE2K_PCI("ne2k_pci", "ne2k_pci", false),
    PCNET("pcnet", "pcnet", false),
    VMXNET3("vmxnet3", "vmxnet3", false);

    private final String driver;
    private final String propertyOwner;
    private final boolean rxFilter;

    NicModel(String driver, String propertyOwner, boolean rxFilter) {
        this.driver = driver;
        this.propertyOwner = propertyOwner;
        this.rxFilter = rxFilter;
    }

    public static Optional<NicModel> ofDriver(String driver) {
        return Arrays.stream(values()).filter(m -> m.driver.equals(driver)).findFirst();
    }

    /** The {@code -device} driver name, which is also the NIC's model in listings. */
    public String driver() {
        return driver;
    }

    /**
     * The type whose properties errors name: virtio-net-pci forwards {@code netdev} and {@code mac}
     * to the virtio-net-device inside it.
     */
    public String propertyOwner() {
        return propertyOwner;
    }

    /** Only virtio-net has a receive filter QEMU can report (and vnetd applies). */
    public boolean hasRxFilter() {
        return rxFilter;
    }

    /** The QOM child that virtio PCI proxies put the virtio device in; events name it. */
    public Optional<String> backendChild() {
        return this == VIRTIO_NET_PCI ? Optional.of("virtio-backend") : Optional.empty();
    }
}
