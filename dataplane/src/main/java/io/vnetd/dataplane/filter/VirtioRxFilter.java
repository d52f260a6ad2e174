package io.vnetd.dataplane.filter;

import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.RxFilter;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.agrona.DirectBuffer;

/**
 * A virtio-net device's receive filter as the guest programmed it, deciding in the order of QEMU's
 * {@code receive_filter()} (hw/net/virtio-net.c): promiscuous takes everything; an 802.1Q-tagged frame
 * whose VLAN is not in the table is refused; broadcast is taken unless no-broadcast; other multicast is
 * refused by no-multicast, taken by all-multicast or a multicast table overflow, else looked up in the
 * multicast table; unicast is refused by no-unicast, taken by all-unicast or a unicast table overflow
 * or when addressed to the main MAC, else looked up in the unicast table.
 *
 * <p>Frames reach the filter without a virtio-net header. QEMU reads the header fields of a frame
 * too short to hold them regardless; here a frame shorter than a tagged header is treated as
 * untagged, and one shorter than a destination address is refused (unless promiscuous).
 *
 * <p>Immutable: the NIC replaces the whole filter when the guest changes any of it.
 */
public final class VirtioRxFilter implements FrameFilter {

    /** QEMU's {@code MAC_TABLE_ENTRIES}: unicast and multicast entries together. */
    public static final int MAC_TABLE_ENTRIES = 64;

    /** QEMU's {@code MAX_VLAN}: 802.1Q VLAN ids 0..4095. */
    public static final int MAX_VLAN = 4096;

    private static final short TPID_8021Q = (short) 0x8100;
    private static final int TPID_OFFSET = 12;
    private static final int TCI_OFFSET = 14;
    private static final int TAGGED_HEADER_LENGTH = 16;
    private static final int VID_MASK = 0xFFF;
    private static final long BROADCAST = MacAddress.BROADCAST.bits();

    private final boolean promiscuous;
    private final boolean allMulticast;
    private final boolean allUnicast;
    private final boolean noMulticast;
    private final boolean noUnicast;
    private final boolean noBroadcast;
    private final boolean unicastOverflow;
    private final boolean multicastOverflow;
    private final long mainMac;
    private final long[] unicastTable;
    private final long[] multicastTable;
    /** One bit per VLAN id. */
    private final long[] vlans;

    private VirtioRxFilter(Builder b) {
        this.promiscuous = b.promiscuous;
        this.allMulticast = b.allMulticast;
        this.allUnicast = b.allUnicast;
        this.noMulticast = b.noMulticast;
        this.noUnicast = b.noUnicast;
        this.noBroadcast = b.noBroadcast;
        this.unicastOverflow = b.unicastOverflow;
        this.multicastOverflow = b.multicastOverflow;
        this.mainMac = b.mainMac;
        this.unicastTable = b.unicastTable.clone();
        this.multicastTable = b.multicastTable.clone();
        this.vlans = b.vlans.clone();
    }

    /** The filter a NIC entity's state describes, in the form the switching thread reads per frame. */
    public static VirtioRxFilter of(RxFilter state) {
        long[] words = state.vlans().toWords();
        Builder builder = builder(state.mainMac().bits())
                .promiscuous(state.promiscuous())
                .allMulticast(state.allMulti())
                .allUnicast(state.allUni())
                .noMulticast(state.noMulti())
                .noUnicast(state.noUni())
                .noBroadcast(state.noBroadcast())
                .unicastTable(state.unicastTable().stream().mapToLong(MacAddress::bits).toArray())
                .multicastTable(state.multicastTable().stream().mapToLong(MacAddress::bits).toArray())
                .unicastOverflow(state.unicastOverflow())
                .multicastOverflow(state.multicastOverflow());
        for (int vid = 0; vid < MAX_VLAN; vid++) {
            builder.vlanAllowed(vid, (words[vid >>> 6] & 1L << vid) != 0);
        }
        return builder.build();
    }

    /** The frame's destination address, in the low 48 bits. */
    private static long destination(DirectBuffer frame, int offset) {
        return (frame.getInt(offset, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16
                | frame.getShort(offset + 4, ByteOrder.BIG_ENDIAN) & 0xFFFFL;
    }

    /**
     * A builder starting from the state of a device whose guest has no driver: promiscuous, unicast
     * and multicast normal, broadcast taken, empty MAC table, and every VLAN allowed (QEMU fills the
     * VLAN table unless the driver negotiates VIRTIO_NET_F_CTRL_VLAN).
     */
    public static Builder builder(long mainMac) {
        return new Builder(mainMac);
    }

    @Override
    public boolean accept(DirectBuffer frame, int offset, int length) {
        if (promiscuous) {
            return true;
        }
        if (length >= TAGGED_HEADER_LENGTH
                && frame.getShort(offset + TPID_OFFSET, ByteOrder.BIG_ENDIAN) == TPID_8021Q) {
            int vid = frame.getShort(offset + TCI_OFFSET, ByteOrder.BIG_ENDIAN) & VID_MASK;
            if ((vlans[vid >>> 6] & 1L << vid) == 0) {
                return false;
            }
        }
        if (length < MacAddress.LENGTH) {
            return false;
        }
        long destination = destination(frame, offset);
        if (MacAddress.isMulticast(destination)) {
            if (destination == BROADCAST) {
                return !noBroadcast;
            }
            if (noMulticast) {
                return false;
            }
            if (allMulticast || multicastOverflow) {
                return true;
            }
            return contains(multicastTable, destination);
        }
        if (noUnicast) {
            return false;
        }
        if (allUnicast || unicastOverflow || destination == mainMac) {
            return true;
        }
        return contains(unicastTable, destination);
    }

    private static boolean contains(long[] table, long mac) {
        for (long entry : table) {
            if (entry == mac) {
                return true;
            }
        }
        return false;
    }

    /** Collects a filter's state; each setter mirrors one virtio-net control command or table. */
    public static final class Builder {
        private boolean promiscuous = true;
        private boolean allMulticast;
        private boolean allUnicast;
        private boolean noMulticast;
        private boolean noUnicast;
        private boolean noBroadcast;
        private boolean unicastOverflow;
        private boolean multicastOverflow;
        private final long mainMac;
        private long[] unicastTable = new long[0];
        private long[] multicastTable = new long[0];
        private final long[] vlans = new long[MAX_VLAN / Long.SIZE];

        private Builder(long mainMac) {
            this.mainMac = mainMac;
            Arrays.fill(vlans, -1L);
        }

        /** VIRTIO_NET_CTRL_RX_PROMISC. */
        public Builder promiscuous(boolean on) {
            this.promiscuous = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_RX_ALLMULTI. */
        public Builder allMulticast(boolean on) {
            this.allMulticast = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_RX_ALLUNI. */
        public Builder allUnicast(boolean on) {
            this.allUnicast = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_RX_NOMULTI. */
        public Builder noMulticast(boolean on) {
            this.noMulticast = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_RX_NOUNI. */
        public Builder noUnicast(boolean on) {
            this.noUnicast = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_RX_NOBCAST. */
        public Builder noBroadcast(boolean on) {
            this.noBroadcast = on;
            return this;
        }

        /** The unicast part of VIRTIO_NET_CTRL_MAC_TABLE_SET. */
        public Builder unicastTable(long... macs) {
            this.unicastTable = macs.clone();
            return this;
        }

        /** The multicast part of VIRTIO_NET_CTRL_MAC_TABLE_SET. */
        public Builder multicastTable(long... macs) {
            this.multicastTable = macs.clone();
            return this;
        }

        /** Set when the guest gave more unicast addresses than the table holds: take all unicast. */
        public Builder unicastOverflow(boolean on) {
            this.unicastOverflow = on;
            return this;
        }

        /** Set when the guest gave more multicast addresses than the table holds: take all multicast. */
        public Builder multicastOverflow(boolean on) {
            this.multicastOverflow = on;
            return this;
        }

        /** VIRTIO_NET_CTRL_VLAN_ADD ({@code true}) or _DEL ({@code false}) for one VLAN id. */
        public Builder vlanAllowed(int vid, boolean allowed) {
            if (vid < 0 || vid >= MAX_VLAN) {
                throw new IllegalArgumentException("VLAN id " + vid + " is outside 0.." + (MAX_VLAN - 1));
            }
            if (allowed) {
                vlans[vid >>> 6] |= 1L << vid;
            } else {
                vlans[vid >>> 6] &= ~(1L << vid);
            }
            return this;
        }

        public VirtioRxFilter build() {
            if (unicastTable.length + multicastTable.length > MAC_TABLE_ENTRIES) {
                throw new IllegalArgumentException("MAC table holds " + MAC_TABLE_ENTRIES + " entries, got "
                        + unicastTable.length + " unicast and " + multicastTable.length
                        + " multicast: set the overflow flags instead");
            }
            return new VirtioRxFilter(this);
        }
    }
}
