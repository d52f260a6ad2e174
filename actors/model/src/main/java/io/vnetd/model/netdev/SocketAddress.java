package io.vnetd.model.netdev;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.vnetd.model.JsonSerializable;
import java.util.Optional;

/** QAPI's {@code SocketAddress} union, as stream and dgram netdevs take it. */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SocketAddress.Inet.class, name = "inet"),
    @JsonSubTypes.Type(value = SocketAddress.Unix.class, name = "unix"),
    @JsonSubTypes.Type(value = SocketAddress.Vsock.class, name = "vsock"),
    @JsonSubTypes.Type(value = SocketAddress.Fd.class, name = "fd")
})
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public sealed interface SocketAddress extends JsonSerializable {

    /** {@code InetSocketAddress}: a host name or address and a port (name or number). */
    record Inet(String host, String port, Optional<Boolean> numeric, Optional<Integer> to, Optional<Boolean> ipv4,
                Optional<Boolean> ipv6, @JsonProperty("keep-alive") Optional<Boolean> keepAlive,
                Optional<Boolean> mptcp) implements SocketAddress {

        public static Inet of(String host, String port) {
            return new Inet(host, port, Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                    Optional.empty(), Optional.empty());
        }
    }

    /** {@code UnixSocketAddress}; {@code abstract} and {@code tight} are Linux's abstract namespace. */
    record Unix(String path, @JsonProperty("abstract") Optional<Boolean> inAbstractNamespace,
                Optional<Boolean> tight) implements SocketAddress {

        public static Unix of(String path) {
            return new Unix(path, Optional.empty(), Optional.empty());
        }
    }

    record Vsock(String cid, String port) implements SocketAddress {
    }

    /** A file descriptor: a number, or a name registered with {@code getfd}. */
    record Fd(String str) implements SocketAddress {
    }
}
