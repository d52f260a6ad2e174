package io.vnetd.actors.netdev;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonInclude;
import io.vnetd.actors.api.NetException;
import io.vnetd.actors.serialization.JsonSerializable;
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
    @JsonSubTypes.Type(value = NetdevConfig.Dgram.class, name = "dgram")
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

        public boolean isServer() {
            return server.orElse(false);
        }
    }

    /** {@code NetdevDgramOptions}: one frame per datagram, unicast or multicast, inet or unix. */
    record Dgram(String id, Optional<SocketAddress> local, Optional<SocketAddress> remote) implements NetdevConfig {
        @Override
        public String type() {
            return "dgram";
        }

        /** The combinations QEMU accepts; multicast is decided on the remote address's literal. */
        @Override
        public void validate() {
            boolean multicast = remote.filter(r -> r instanceof SocketAddress.Inet inet && isIpv4Multicast(inet.host()))
                    .isPresent();
            if (multicast) {
                if (local.isPresent() && !(local.get() instanceof SocketAddress.Inet)
                        && !(local.get() instanceof SocketAddress.Fd)) {
                    throw NetException.generic("only support inet or fd type for local");
                }
                return;
            }
            if (local.isEmpty()) {
                throw NetException.generic("dgram requires local= parameter");
            }
            SocketAddress l = local.get();
            if (l instanceof SocketAddress.Vsock) {
                throw NetException.generic("only support inet or fd type for local");
            }
            if (remote.isEmpty()) {
                if (!(l instanceof SocketAddress.Fd)) {
                    throw NetException.generic("type=inet or type=unix requires remote parameter");
                }
                return;
            }
            if (l instanceof SocketAddress.Fd) {
                throw NetException.generic("don't set remote with local.fd");
            }
            if (remote.get().getClass() != l.getClass()) {
                throw NetException.generic("remote and local types must be the same");
            }
        }

        static boolean isIpv4Multicast(String host) {
            String[] octets = host.split("\\.", -1);
            if (octets.length != 4) {
                return false;
            }
            try {
                int first = Integer.parseInt(octets[0]);
                return first >= 224 && first <= 239;
            } catch (NumberFormatException e) {
                return false;
            }
        }
    }
}
