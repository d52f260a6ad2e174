package io.vnetd.model.netdev;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;
import java.math.BigInteger;
import java.util.List;
import java.util.Optional;

/**
 * A validated {@code Netdev} union member: the configuration of one network backend, as
 * {@code netdev_add} (or {@code -netdev}) gave it. Serialized in journal events, so each record's
 * JSON form is the QAPI form ({@code type} discriminator, QAPI member names).
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = NetdevConfig.Hubport.class, name = "hubport"),
    @JsonSubTypes.Type(value = NetdevConfig.Socket.class, name = "socket"),
    @JsonSubTypes.Type(value = NetdevConfig.Stream.class, name = "stream"),
    @JsonSubTypes.Type(value = NetdevConfig.Dgram.class, name = "dgram"),
    @JsonSubTypes.Type(value = NetdevConfig.Tap.class, name = "tap"),
    @JsonSubTypes.Type(value = NetdevConfig.Bridge.class, name = "bridge"),
    @JsonSubTypes.Type(value = NetdevConfig.L2tpv3.class, name = "l2tpv3"),
    @JsonSubTypes.Type(value = NetdevConfig.VhostUser.class, name = "vhost-user"),
    @JsonSubTypes.Type(value = NetdevConfig.VhostVdpa.class, name = "vhost-vdpa"),
    @JsonSubTypes.Type(value = NetdevConfig.VhostUserPort.class, name = NetdevConfig.VhostUserPort.TYPE),
    @JsonSubTypes.Type(value = NetdevConfig.Unsupported.class, name = "unsupported")
})
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public sealed interface NetdevConfig extends JsonSerializable {

    /** The netdev's id, unique among all net clients. */
    String id();

    /** The {@code NetClientDriver} value. */
    String type();

    /** The netdev this one is peered with by its own configuration (hubport {@code netdev=}). */
    default Optional<String> configuredPeer() {
        return Optional.empty();
    }

    /**
     * The type's own option rules that need no host resource, in QEMU's order and wording; checked
     * before the resource is acquired.
     *
     * @throws NetException when the options do not go together
     */
    default void validate() {
    }

    /** {@code NetdevHubPortOptions}: a port of hub {@code hubid}, optionally peered with {@code netdev}. */
    record Hubport(String id, int hubid, Optional<String> netdev) implements NetdevConfig {
        @Override
        public String type() {
            return "hubport";
        }

        @Override
        public Optional<String> configuredPeer() {
            return netdev;
        }
    }

    /**
     * {@code NetdevSocketOptions}: QEMU's older socket backend. TCP ({@code listen}, {@code connect})
     * frames are length-prefixed; UDP ({@code udp}, {@code mcast}) carries one frame per datagram.
     */
    record Socket(String id, Optional<String> fd, Optional<String> listen, Optional<String> connect,
                  Optional<String> mcast, Optional<String> localaddr, Optional<String> udp) implements NetdevConfig {
        @Override
        public String type() {
            return "socket";
        }

        @Override
        public void validate() {
            long modes = List.of(fd, listen, connect, mcast, udp).stream().filter(Optional::isPresent).count();
            if (modes != 1) {
                throw NetException.generic("exactly one of listen=, connect=, mcast= or udp= is required");
            }
            if (localaddr.isPresent() && mcast.isEmpty() && udp.isEmpty()) {
                throw NetException.generic("localaddr= is only valid with mcast= or udp=");
            }
            if (udp.isPresent() && localaddr.isEmpty()) {
                throw NetException.generic("localaddr= is mandatory with udp=");
            }
        }
    }

    /**
     * {@code NetdevStreamOptions}: a stream socket carrying length-prefixed frames; a server serves one
     * client at a time, a client reconnects every {@code reconnect} seconds when that is not 0.
     */
    record Stream(String id, SocketAddress addr, Optional<Boolean> server, Optional<Long> reconnect)
            implements NetdevConfig {
        @Override
        public String type() {
            return "stream";
        }

        /** Not a property: a getter-shaped name would be journaled as {@code server} in place of the option as given. */
        @JsonIgnore
        public boolean isServer() {
            return server.orElse(false);
        }

        @Override
        public void validate() {
            if (isServer() && reconnect.isPresent()) {
                throw NetException.generic("'reconnect' option is incompatible with socket in server mode");
            }
        }
    }

    /**
     * {@code NetdevDgramOptions}: one frame per datagram, unicast or multicast, inet or unix. No
     * {@link #validate} rules: QEMU converts an inet {@code remote} (a name lookup, maybe) before it
     * checks how {@code local} and {@code remote} go together, so the dgram backend checks both.
     */
    record Dgram(String id, Optional<SocketAddress> local, Optional<SocketAddress> remote) implements NetdevConfig {
        @Override
        public String type() {
            return "dgram";
        }
    }

    /**
     * {@code NetdevTapOptions}: a Linux tap interface, created (or given as an open descriptor) with
     * an optional script run on it at start and at deletion.
     */
    record Tap(String id, Optional<String> ifname, Optional<String> fd, Optional<String> fds,
               Optional<String> script, Optional<String> downscript, Optional<String> br, Optional<String> helper,
               Optional<BigInteger> sndbuf, @JsonProperty("vnet_hdr") Optional<Boolean> vnetHdr,
               Optional<Boolean> vhost, Optional<String> vhostfd, Optional<String> vhostfds,
               Optional<Boolean> vhostforce, Optional<Long> queues, @JsonProperty("poll-us") Optional<Long> pollUs)
            implements NetdevConfig {

        /** Where QEMU (as Debian installs it) looks for the scripts when none is named. */
        public static final String DEFAULT_SCRIPT = "/etc/qemu-ifup";
        public static final String DEFAULT_DOWNSCRIPT = "/etc/qemu-ifdown";

        @Override
        public String type() {
            return "tap";
        }

        /** QEMU's {@code net_init_tap}: which options go together with fd=, fds= and helper=. */
        @Override
        public void validate() {
            if (fd.isPresent()) {
                if (anyPresent(ifname, script, downscript, vnetHdr, helper, queues, fds, vhostfds)) {
                    throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=");
                }
            } else if (fds.isPresent()) {
                if (anyPresent(ifname, script, downscript, vnetHdr, helper, queues, vhostfd)) {
                    throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=");
                }
            } else if (helper.isPresent()) {
                if (anyPresent(ifname, script, downscript, vnetHdr, queues, vhostfds)) {
                    throw NetException.generic("ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=");
                }
            } else if (vhostfds.isPresent()) {
                throw NetException.generic("vhostfds= is invalid if fds= wasn't specified");
            }
            // QEMU 7.2 creates no queue for queues=0 and then aborts.
            if (queues.isPresent() && queues.get() == 0) {
                throw NetException.generic("tap: queues must be at least 1");
            }
        }

        public long queueCount() {
            return queues.orElse(1L);
        }
    }

    /** {@code NetdevBridgeOptions}: a tap interface added to a host bridge. */
    record Bridge(String id, Optional<String> br, Optional<String> helper) implements NetdevConfig {
        public static final String DEFAULT_BRIDGE = "br0";

        @Override
        public String type() {
            return "bridge";
        }
    }

    /** {@code NetdevL2TPv3Options}: Ethernet over L2TPv3 (RFC 3931), over IP or UDP. */
    record L2tpv3(String id, String src, String dst, Optional<String> srcport, Optional<String> dstport,
                  Optional<Boolean> ipv6, Optional<Boolean> udp, Optional<Boolean> cookie64,
                  Optional<Boolean> counter, Optional<Boolean> pincounter, Optional<BigInteger> txcookie,
                  Optional<BigInteger> rxcookie, long txsession, Optional<Long> rxsession, Optional<Long> offset)
            implements NetdevConfig {

        /** The largest extra offset QEMU allows (its test is {@code offset > 256}, whatever its message says). */
        public static final long MAX_OFFSET = 256;

        @Override
        public String type() {
            return "l2tpv3";
        }

        /** QEMU's {@code net_init_l2tpv3} checks, in its order. */
        @Override
        public void validate() {
            if (offset.orElse(0L) > MAX_OFFSET) {
                throw NetException.generic("offset must be less than 256 bytes");
            }
            if (rxcookie.isPresent() != txcookie.isPresent()) {
                throw NetException.generic("require both 'rxcookie' and 'txcookie' or neither");
            }
            if (udp.orElse(false) && (srcport.isEmpty() || dstport.isEmpty())) {
                throw NetException.generic("need both src and dst port for udp");
            }
        }

        public long receiveSession() {
            return rxsession.orElse(txsession);
        }
    }

    /** {@code NetdevVhostUserOptions}: a vhost-user backend on a chardev. */
    record VhostUser(String id, String chardev, Optional<Boolean> vhostforce, Optional<Long> queues)
            implements NetdevConfig {
        @Override
        public String type() {
            return "vhost-user";
        }
    }

    /** {@code NetdevVhostVDPAOptions}: a vDPA device. */
    record VhostVdpa(String id, Optional<String> vhostdev, Optional<String> vhostfd, Optional<Long> queues,
                     @JsonProperty("x-svq") Optional<Boolean> shadowVirtqueues) implements NetdevConfig {
        public static final String DEFAULT_DEVICE = "/dev/vhost-vdpa-0";

        @Override
        public String type() {
            return "vhost-vdpa";
        }

        @Override
        public void validate() {
            if (vhostdev.isPresent() && vhostfd.isPresent()) {
                throw NetException.generic("vhost-vdpa: vhostdev= and vhostfd= are mutually exclusive");
            }
        }
    }

    /**
     * {@code __io.vnetd_NetdevVhostUserPortOptions}: a vhost-user back-end vnetd serves itself on UNIX
     * socket {@code path}, listening ({@code server}, the default) or connecting and reconnecting every
     * {@code reconnect} seconds, with {@code queues} queue pairs.
     */
    record VhostUserPort(String id, String path, Optional<Boolean> server, Optional<Long> reconnect,
                         Optional<Long> queues) implements NetdevConfig {
        public static final String TYPE = "__io.vnetd_vhost-user-port";
        /** The most queue pairs a port offers: two vrings each, and a vring index is 8 bits. */
        public static final long MAX_QUEUES = 128;

        @Override
        public String type() {
            return TYPE;
        }

        /** Not a property: a getter-shaped name would be journaled as {@code server} in place of the option as given. */
        @JsonIgnore
        public boolean isServer() {
            return server.orElse(true);
        }

        public long reconnectSeconds() {
            return reconnect.orElse(1L);
        }

        public int queuePairs() {
            return queues.orElse(1L).intValue();
        }

        @Override
        public void validate() {
            if (path.isEmpty()) {
                throw NetException.generic("vhost-user-port: 'path' must not be empty");
            }
            if (isServer() && reconnect.isPresent()) {
                throw NetException.generic("'reconnect' option is incompatible with socket in server mode");
            }
            if (reconnect.isPresent() && reconnect.get() == 0) {
                throw NetException.generic("vhost-user-port: 'reconnect' must be at least 1");
            }
            if (queues.isPresent() && (queues.get() < 1 || queues.get() > MAX_QUEUES)) {
                throw NetException.generic("vhost-user-port: 'queues' must be between 1 and " + MAX_QUEUES);
            }
        }
    }

    private static boolean anyPresent(Optional<?>... options) {
        for (Optional<?> option : options) {
            if (option.isPresent()) {
                return true;
            }
        }
        return false;
    }

    /**
     * A {@code Netdev} of a type vnetd has no record for ({@code user}, {@code nic}, ...): what
     * {@code netdev_add}'s rules need to refuse it in QEMU's words, after the schema and in QEMU's
     * order. Never created, so never journaled; its own JSON name only carries it between nodes.
     *
     * @param driver its {@code NetClientDriver}
     */
    record Unsupported(String id, String driver) implements NetdevConfig {
        @Override
        public String type() {
            return driver;
        }
    }
}
