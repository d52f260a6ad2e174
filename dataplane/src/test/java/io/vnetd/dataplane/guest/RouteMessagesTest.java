package io.vnetd.dataplane.guest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.model.nic.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * The rtnetlink codec against messages laid out here as the kernel writes them ({@code rtnl_fill_ifinfo},
 * {@code ndo_dflt_fdb_dump}): dump requests byte for byte, links with their flags, address and VLAN
 * details, bridge-family address-list entries, the end of a dump, errors, and what is cut short.
 */
class RouteMessagesTest {

    /** Builds netlink messages in the host's byte order. */
    static final class Writer {
        final ByteBuffer b = ByteBuffer.allocate(8192).order(ByteOrder.nativeOrder());
        private int messageStart;
        private final int[] nests = new int[8];
        private int depth;

        Writer begin(int type) {
            messageStart = b.position();
            b.putInt(0).putShort((short) type).putShort((short) RouteMessages.NLM_F_MULTI).putInt(1).putInt(0);
            return this;
        }

        Writer ifinfo(int index, int flags) {
            b.put((byte) 0).put((byte) 0).putShort((short) 1).putInt(index).putInt(flags).putInt(0);
            return this;
        }

        Writer ndmsg(int family, int index) {
            b.put((byte) family).put((byte) 0).putShort((short) 0).putInt(index).putShort((short) 0x80).put((byte) 2)
                    .put((byte) 0);
            return this;
        }

        Writer attribute(int type, byte[] value) {
            b.putShort((short) (4 + value.length)).putShort((short) type).put(value);
            pad();
            return this;
        }

        Writer string(int type, String value) {
            byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
            byte[] z = new byte[bytes.length + 1];
            System.arraycopy(bytes, 0, z, 0, bytes.length);
            return attribute(type, z);
        }

        Writer mac(int type, String mac) {
            byte[] bytes = new byte[6];
            MacAddress.of(mac).writeTo(bytes, 0);
            return attribute(type, bytes);
        }

        Writer u32(int type, int value) {
            return attribute(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
        }

        Writer u16(int type, int value) {
            return attribute(type, ByteBuffer.allocate(2).order(ByteOrder.nativeOrder()).putShort((short) value).array());
        }

        Writer nest(int type) {
            nests[depth++] = b.position();
            b.putShort((short) 0).putShort((short) (type | 0x8000));
            return this;
        }

        Writer end() {
            int start = nests[--depth];
            b.putShort(start, (short) (b.position() - start));
            return this;
        }

        Writer done() {
            b.putInt(messageStart, b.position() - messageStart);
            return this;
        }

        Writer error(int errno) {
            begin(RouteMessages.NLMSG_ERROR);
            b.putInt(-errno);
            b.put(new byte[16]);
            return done();
        }

        private void pad() {
            while (b.position() % 4 != 0) {
                b.put((byte) 0);
            }
        }

        ByteBuffer buffer() {
            return b.duplicate().flip();
        }
    }

    @Test
    void dumpRequestsAreNetlinkHeadersAndAFamilyByte() {
        ByteBuffer link = ByteBuffer.wrap(RouteMessages.dumpRequest(RouteMessages.RTM_GETLINK, 7)).order(ByteOrder.nativeOrder());
        assertEquals(32, link.capacity());
        assertEquals(32, link.getInt(0));
        assertEquals(RouteMessages.RTM_GETLINK, link.getShort(4));
        assertEquals(RouteMessages.NLM_F_REQUEST | RouteMessages.NLM_F_DUMP, link.getShort(6));
        assertEquals(7, link.getInt(8));
        assertEquals(RouteMessages.AF_UNSPEC, link.get(16));

        ByteBuffer neigh = ByteBuffer.wrap(RouteMessages.dumpRequest(RouteMessages.RTM_GETNEIGH, 8)).order(ByteOrder.nativeOrder());
        assertEquals(28, neigh.capacity());
        assertEquals(28, neigh.getInt(0));
        assertEquals(RouteMessages.RTM_GETNEIGH, neigh.getShort(4));
        assertEquals(RouteMessages.AF_BRIDGE, neigh.get(16));
    }

    @Test
    void aLinkGivesItsFlagsNameAndAddress() {
        Writer w = new Writer().begin(RouteMessages.RTM_NEWLINK)
                .ifinfo(4, RouteMessages.IFF_UP | RouteMessages.IFF_PROMISC)
                .string(RouteMessages.IFLA_IFNAME, "vtg0")
                .mac(RouteMessages.IFLA_ADDRESS, "52:54:00:12:34:56")
                .u32(RouteMessages.IFLA_LINK, 0)
                .done();
        assertEquals(List.of(new RouteMessages.Link(false, 4, RouteMessages.IFF_UP | RouteMessages.IFF_PROMISC, "vtg0",
                Optional.of(MacAddress.of("52:54:00:12:34:56")), 0, Optional.empty(), OptionalInt.empty())),
                RouteMessages.parse(w.buffer()));
    }

    @Test
    void aVlanInterfaceNamesItsParentAndItsId() {
        Writer w = new Writer().begin(RouteMessages.RTM_NEWLINK).ifinfo(9, 0)
                .string(RouteMessages.IFLA_IFNAME, "vtg0.7")
                .mac(RouteMessages.IFLA_ADDRESS, "52:54:00:12:34:56")
                .u32(RouteMessages.IFLA_LINK, 4)
                .nest(RouteMessages.IFLA_LINKINFO)
                .string(RouteMessages.IFLA_INFO_KIND, "vlan")
                .nest(RouteMessages.IFLA_INFO_DATA).u16(RouteMessages.IFLA_VLAN_ID, 7).end()
                .end()
                .done();
        RouteMessages.Link link = (RouteMessages.Link) RouteMessages.parse(w.buffer()).getFirst();
        assertEquals(4, link.link());
        assertEquals(Optional.of("vlan"), link.kind());
        assertEquals(OptionalInt.of(7), link.vlanId());
    }

    @Test
    void anotherKindsInfoDataIsNoVlanId() {
        Writer w = new Writer().begin(RouteMessages.RTM_NEWLINK).ifinfo(9, 0)
                .u32(RouteMessages.IFLA_LINK, 4)
                .nest(RouteMessages.IFLA_LINKINFO)
                .string(RouteMessages.IFLA_INFO_KIND, "macvlan")
                .nest(RouteMessages.IFLA_INFO_DATA).u16(RouteMessages.IFLA_VLAN_ID, 7).end()
                .end()
                .done();
        assertEquals(OptionalInt.empty(), ((RouteMessages.Link) RouteMessages.parse(w.buffer()).getFirst()).vlanId());
    }

    @Test
    void aDumpReadsAddressListEntriesThenItsEnd() {
        Writer w = new Writer();
        w.begin(RouteMessages.RTM_NEWNEIGH).ndmsg(RouteMessages.AF_BRIDGE, 4)
                .mac(RouteMessages.NDA_LLADDR, "01:00:5e:01:02:03").done();
        w.begin(RouteMessages.RTM_DELNEIGH).ndmsg(RouteMessages.AF_BRIDGE, 5)
                .mac(RouteMessages.NDA_LLADDR, "02:00:00:00:00:bb").done();
        w.begin(RouteMessages.NLMSG_DONE).b.putInt(0);
        w.done();
        assertEquals(List.of(
                new RouteMessages.Neighbour(false, RouteMessages.AF_BRIDGE, 4, Optional.of(MacAddress.of("01:00:5e:01:02:03"))),
                new RouteMessages.Neighbour(true, RouteMessages.AF_BRIDGE, 5, Optional.of(MacAddress.of("02:00:00:00:00:bb"))),
                new RouteMessages.Done()), RouteMessages.parse(w.buffer()));
    }

    @Test
    void errorsCarryTheirErrnoAndOtherTypesAreNamed() {
        Writer w = new Writer().error(95);
        w.begin(20).ifinfo(1, 0).done();
        assertEquals(List.of(new RouteMessages.Error(95), new RouteMessages.Other(20)), RouteMessages.parse(w.buffer()));
    }

    @Test
    void aMessageCutShortEndsTheReadingAndABadAttributeEndsItsList() {
        Writer w = new Writer().begin(RouteMessages.RTM_NEWLINK).ifinfo(4, 0).string(RouteMessages.IFLA_IFNAME, "a").done();
        ByteBuffer whole = w.buffer();
        ByteBuffer cut = whole.duplicate().limit(whole.limit() - 2);
        assertEquals(List.of(), RouteMessages.parse(cut));

        Writer bad = new Writer().begin(RouteMessages.RTM_NEWLINK).ifinfo(4, 0);
        bad.b.putShort((short) 200).putShort((short) RouteMessages.IFLA_IFNAME).putInt(0);
        bad.done();
        RouteMessages.Link link = (RouteMessages.Link) RouteMessages.parse(bad.buffer()).getFirst();
        assertEquals("", link.name());
        assertEquals(Optional.empty(), link.address());
    }

    @Test
    void anAddressOfAnotherLengthIsNone() {
        Writer w = new Writer().begin(RouteMessages.RTM_NEWLINK).ifinfo(4, 0)
                .attribute(RouteMessages.IFLA_ADDRESS, new byte[4]).done();
        assertEquals(Optional.empty(), ((RouteMessages.Link) RouteMessages.parse(w.buffer()).getFirst()).address());
    }
}
