package io.vnetd.model.netclient;

import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The counters every net client has, of frames and of connections its backend had to close: the one
 * definition of their names, meanings and of where they are counted, in the order users see them. The
 * data plane keeps one per {@link Side} that counts it, {@code __io.vnetd_query-net-clients} lists them
 * by {@link #qmpName} (the QAPI schema documents the same members, which a test checks),
 * {@code info vnetd-counters} tabulates them, and a Prometheus export names them by {@link #prometheusName}.
 * The counts are in QEMU's terms: a client sends frames into the network and receives what the network
 * delivers to it (for a NIC, what its guest sent and what reaches its guest; for a backend, what came from
 * its host peer and what goes to it). Each drop is counted once, at the client where QEMU's net core would
 * drop the frame.
 */
public enum NetClientCounter {
    RX_FRAMES("rx-frames", "frames delivered to the client", Side.PORT),
    RX_BYTES("rx-bytes", "bytes of the frames delivered to the client", Side.PORT),
    TX_FRAMES("tx-frames", "frames the client sent, those dropped on their way included", Side.PORT),
    TX_BYTES("tx-bytes", "bytes of the frames the client sent, those dropped on their way included", Side.PORT),
    DROPPED_LINK_DOWN("dropped-link-down", "frames it sent, or was to receive, while its link was down", Side.PORT),
    DROPPED_FILTER("dropped-filter", "frames its receive filter refused (a NIC with a virtio-net rx-filter)",
            Side.PORT),
    DROPPED_RING_FULL("dropped-ring-full", "frames dropped because a ring between it and the switch was full: its"
            + " ring of delivered frames, or for a datagram backend the switch's inbound ring (a stream peer is made"
            + " to wait instead)", Side.PORT, Side.BACKEND),
    DROPPED_PEER_ABSENT("dropped-peer-absent", "frames it sent while it had no peer", Side.PORT),
    DROPPED_LOOP("dropped-loop", "frames a hubport did not take back into a hub they had crossed already (QEMU"
            + " would circulate them forever)", Side.PORT),
    DROPPED_NOT_CONNECTED("dropped-not-connected", "frames delivered to a backend that had no connection to send"
            + " them on", Side.BACKEND),
    DROPPED_SEND_FAILED("dropped-send-failed", "frames the backend's host socket refused", Side.BACKEND),
    DROPPED_TOO_LONG("dropped-too-long", "frames from the backend's host peer longer than the longest frame vnetd"
            + " carries", Side.BACKEND),
    DROPPED_BAD_HEADER("dropped-bad-header", "datagrams from the backend's host peer whose encapsulation is not the"
            + " netdev's (an L2TPv3 session or cookie of another, or no frame after the header)", Side.BACKEND),
    PEER_ERRORS("peer-errors", "connections the backend closed because its host peer broke the protocol: a stream"
            + " or socket (TCP) peer's frame length beyond the longest frame vnetd carries, a vhost-user front-end's"
            + " malformed message or ring, or its replies left unread", Side.BACKEND);

    /** Where in the data plane a counter is counted; a client's value is the sum over both sides. */
    public enum Side {
        /** The switching agent, at the client's port: every client has one. */
        PORT,
        /**
         * A netdev's backend, between its host socket and its port: frames lost on the way from one to the
         * other, and connections closed for the peer's protocol errors.
         */
        BACKEND;

        /** The counters this side counts, in definition order. */
        public List<NetClientCounter> counters() {
            return Counted.BY_SIDE.get(this);
        }
    }

    /** Each side's counters, listed once: every port's counters are allocated by this list. */
    private static final class Counted {
        static final Map<Side, List<NetClientCounter>> BY_SIDE = Arrays.stream(Side.values()).collect(Collectors.toMap(
                side -> side, side -> Arrays.stream(values()).filter(c -> c.countedBy(side)).toList(),
                (a, b) -> a, () -> new EnumMap<>(Side.class)));
    }

    private static final String DROPPED = "dropped-";

    private final String qmpName;
    private final String meaning;
    private final Set<Side> sides;

    NetClientCounter(String qmpName, String meaning, Side first, Side... more) {
        this.qmpName = qmpName;
        this.meaning = meaning;
        this.sides = EnumSet.of(first, more);
    }

    /** The member of {@code __io.vnetd_NetClientCounters} that holds it. */
    public String qmpName() {
        return qmpName;
    }

    /** What it counts, as the QMP reference documents it. */
    public String meaning() {
        return meaning;
    }

    public boolean countedBy(Side side) {
        return sides.contains(side);
    }

    /** For a drop, its reason ({@code link-down} for {@code dropped-link-down}); empty for a traffic count. */
    public Optional<String> dropReason() {
        return qmpName.startsWith(DROPPED) ? Optional.of(qmpName.substring(DROPPED.length())) : Optional.empty();
    }

    /** The name of its Prometheus counter: {@code vnetd_netclient_rx_frames_total} for {@code rx-frames}. */
    public String prometheusName() {
        return "vnetd_netclient_" + qmpName.replace('-', '_') + "_total";
    }

    /** @throws IllegalArgumentException if no counter has that name */
    public static NetClientCounter ofQmpName(String name) {
        for (NetClientCounter counter : values()) {
            if (counter.qmpName.equals(name)) {
                return counter;
            }
        }
        throw new IllegalArgumentException("no net client counter '" + name + "'");
    }
}
