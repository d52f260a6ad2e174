package io.vnetd.dataplane.guest;

import io.vnetd.model.nic.MacAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The few rtnetlink messages a guest side needs ({@code linux/netlink.h}, {@code linux/rtnetlink.h},
 * {@code linux/if_link.h}, {@code linux/neighbour.h}): the dump requests it sends and the link and
 * neighbour messages it reads, in the host's byte order as the kernel writes them. Pure: bytes in,
 * records out, and back; nothing here touches a socket.
 */
public final class RouteMessages {

    public static final int NLMSG_HEADER_LENGTH = 16;
    public static final int NLMSG_ERROR = 2;
    public static final int NLMSG_DONE = 3;
    public static final int NLM_F_REQUEST = 0x1;
    public static final int NLM_F_MULTI = 0x2;
    public static final int NLM_F_DUMP = 0x300;

    public static final int RTM_NEWLINK = 16;
    public static final int RTM_DELLINK = 17;
    public static final int RTM_GETLINK = 18;
    public static final int RTM_NEWNEIGH = 28;
    public static final int RTM_DELNEIGH = 29;
    public static final int RTM_GETNEIGH = 30;

    public static final int AF_UNSPEC = 0;
    public static final int AF_BRIDGE = 7;

    public static final int IFF_UP = 0x1;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_ALLMULTI = 0x200;

    /** {@code sizeof(struct ifinfomsg)}. */
    public static final int IFINFOMSG_LENGTH = 16;
    /** {@code sizeof(struct ndmsg)}. */
    public static final int NDMSG_LENGTH = 12;

    public static final int IFLA_ADDRESS = 1;
    public static final int IFLA_IFNAME = 3;
    public static final int IFLA_LINK = 5;
    public static final int IFLA_LINKINFO = 18;
    public static final int IFLA_INFO_KIND = 1;
    public static final int IFLA_INFO_DATA = 2;
    public static final int IFLA_VLAN_ID = 1;
    public static final int NDA_LLADDR = 2;

    /** An attribute's type without {@code NLA_F_NESTED} and {@code NLA_F_NET_BYTEORDER}. */
    private static final int NLA_TYPE_MASK = 0x3fff;
    private static final int RTA_HEADER_LENGTH = 4;

    private RouteMessages() {
    }

    /** One message read from a route socket. */
    public sealed interface Message {
    }

    /**
     * {@code RTM_NEWLINK} or {@code RTM_DELLINK}.
     *
     * @param flags   {@code ifi_flags}: {@code IFF_PROMISC} and {@code IFF_ALLMULTI} as the user asked for them
     * @param link    {@code IFLA_LINK}: the lower device's index (a VLAN's parent), 0 for none
     * @param kind    {@code IFLA_INFO_KIND} ({@code vlan}, ...), if it has one
     * @param vlanId  {@code IFLA_VLAN_ID} of a {@code vlan}
     */
    public record Link(boolean deleted, int index, int flags, String name, Optional<MacAddress> address, int link,
                       Optional<String> kind, OptionalInt vlanId) implements Message {
    }

    /** {@code RTM_NEWNEIGH} or {@code RTM_DELNEIGH}; a bridge-family dump lists a device's address lists so. */
    public record Neighbour(boolean deleted, int family, int index, Optional<MacAddress> address) implements Message {
    }

    /** The end of a dump. */
    public record Done() implements Message {
    }

    /** {@code NLMSG_ERROR}: {@code errno} 0 acknowledges. */
    public record Error(int errno) implements Message {
    }

    /** A message of a type the guest side does not read (an address, a multicast group notice). */
    public record Other(int type) implements Message {
    }

    /**
     * A dump request: {@code RTM_GETLINK} (every link) or {@code RTM_GETNEIGH} of family
     * {@code AF_BRIDGE} (every device's unicast and multicast address lists, as the kernel's
     * {@code ndo_dflt_fdb_dump} lists them).
     */
    public static byte[] dumpRequest(int type, int sequence) {
        int body = type == RTM_GETNEIGH ? NDMSG_LENGTH : IFINFOMSG_LENGTH;
        ByteBuffer b = ByteBuffer.allocate(NLMSG_HEADER_LENGTH + body).order(ByteOrder.nativeOrder());
        b.putInt(NLMSG_HEADER_LENGTH + body);
        b.putShort((short) type);
        b.putShort((short) (NLM_F_REQUEST | NLM_F_DUMP));
        b.putInt(sequence);
        b.putInt(0);
        b.put((byte) (type == RTM_GETNEIGH ? AF_BRIDGE : AF_UNSPEC));
        return b.array();
    }

    /**
     * The messages in {@code buffer} from its position to its limit (one datagram read from the socket);
     * a message cut short ends the reading.
     */
    public static List<Message> parse(ByteBuffer buffer) {
        ByteBuffer b = buffer.duplicate().order(ByteOrder.nativeOrder());
        List<Message> messages = new ArrayList<>();
        while (b.remaining() >= NLMSG_HEADER_LENGTH) {
            int start = b.position();
            int length = b.getInt(start);
            if (length < NLMSG_HEADER_LENGTH || length > b.remaining()) {
                break;
            }
            int type = Short.toUnsignedInt(b.getShort(start + 4));
            ByteBuffer body = b.slice(start + NLMSG_HEADER_LENGTH, length - NLMSG_HEADER_LENGTH)
                    .order(ByteOrder.nativeOrder());
            messages.add(switch (type) {
                case NLMSG_DONE -> new Done();
                case NLMSG_ERROR -> new Error(body.remaining() >= 4 ? -body.getInt(0) : 0);
                case RTM_NEWLINK, RTM_DELLINK -> body.remaining() < IFINFOMSG_LENGTH
                        ? new Other(type) : link(type == RTM_DELLINK, body);
                case RTM_NEWNEIGH, RTM_DELNEIGH -> body.remaining() < NDMSG_LENGTH
                        ? new Other(type) : neighbour(type == RTM_DELNEIGH, body);
                default -> new Other(type);
            });
            b.position(Math.min(b.limit(), start + align(length)));
        }
        return messages;
    }

    private static Link link(boolean deleted, ByteBuffer body) {
        int index = body.getInt(4);
        int flags = body.getInt(8);
        String name = "";
        Optional<MacAddress> address = Optional.empty();
        int link = 0;
        Optional<String> kind = Optional.empty();
        OptionalInt vlanId = OptionalInt.empty();
        for (ByteBuffer attribute : attributes(body, IFINFOMSG_LENGTH)) {
            ByteBuffer value = value(attribute);
            switch (type(attribute)) {
                case IFLA_IFNAME -> name = string(value);
                case IFLA_ADDRESS -> address = mac(value);
                case IFLA_LINK -> link = value.remaining() >= 4 ? value.getInt(0) : 0;
                case IFLA_LINKINFO -> {
                    for (ByteBuffer info : attributes(value, 0)) {
                        if (type(info) == IFLA_INFO_KIND) {
                            kind = Optional.of(string(value(info)));
                        } else if (type(info) == IFLA_INFO_DATA) {
                            for (ByteBuffer data : attributes(value(info), 0)) {
                                if (type(data) == IFLA_VLAN_ID && value(data).remaining() >= 2) {
                                    vlanId = OptionalInt.of(Short.toUnsignedInt(value(data).getShort(0)));
                                }
                            }
                        }
                    }
                }
                default -> {
                }
            }
        }
        // IFLA_INFO_DATA is read as a VLAN's only for a vlan: other kinds number their data otherwise.
        if (!kind.equals(Optional.of("vlan"))) {
            vlanId = OptionalInt.empty();
        }
        return new Link(deleted, index, flags, name, address, link, kind, vlanId);
    }

    private static Neighbour neighbour(boolean deleted, ByteBuffer body) {
        int family = Byte.toUnsignedInt(body.get(0));
        int index = body.getInt(4);
        Optional<MacAddress> address = Optional.empty();
        for (ByteBuffer attribute : attributes(body, NDMSG_LENGTH)) {
            if (type(attribute) == NDA_LLADDR) {
                address = mac(value(attribute));
            }
        }
        return new Neighbour(deleted, family, index, address);
    }

    /** The attributes from {@code offset} to the end of {@code b}, each a buffer of its header and value. */
    private static List<ByteBuffer> attributes(ByteBuffer b, int offset) {
        List<ByteBuffer> list = new ArrayList<>();
        int at = offset;
        while (at + RTA_HEADER_LENGTH <= b.limit()) {
            int length = Short.toUnsignedInt(b.getShort(at));
            if (length < RTA_HEADER_LENGTH || at + length > b.limit()) {
                break;
            }
            list.add(b.slice(at, length).order(ByteOrder.nativeOrder()));
            at += align(length);
        }
        return list;
    }

    private static int type(ByteBuffer attribute) {
        return Short.toUnsignedInt(attribute.getShort(2)) & NLA_TYPE_MASK;
    }

    private static ByteBuffer value(ByteBuffer attribute) {
        return attribute.slice(RTA_HEADER_LENGTH, attribute.limit() - RTA_HEADER_LENGTH).order(ByteOrder.nativeOrder());
    }

    private static String string(ByteBuffer value) {
        int end = 0;
        while (end < value.limit() && value.get(end) != 0) {
            end++;
        }
        byte[] bytes = new byte[end];
        value.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Optional<MacAddress> mac(ByteBuffer value) {
        if (value.remaining() != MacAddress.LENGTH) {
            return Optional.empty();
        }
        long bits = 0;
        for (int i = 0; i < MacAddress.LENGTH; i++) {
            bits = bits << 8 | Byte.toUnsignedLong(value.get(i));
        }
        return Optional.of(new MacAddress(bits));
    }

    /** {@code NLMSG_ALIGN} and {@code RTA_ALIGN}: 4 bytes. */
    static int align(int length) {
        return (length + 3) & ~3;
    }
}
