package io.vnetd.actors.netdev;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.actors.api.NetException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The option rules QEMU checks before it touches a socket, with its wording. */
class NetdevConfigTest {

    private static final SocketAddress INET = SocketAddress.Inet.of("127.0.0.1", "17100");
    private static final SocketAddress UNIX = SocketAddress.Unix.of("/tmp/qo/d");
    private static final SocketAddress MCAST = SocketAddress.Inet.of("230.0.0.10", "17212");
    private static final SocketAddress FD = new SocketAddress.Fd("3");

    private static String refusal(NetdevConfig config) {
        return assertThrows(NetException.class, config::validate).desc();
    }

    private static NetdevConfig.Dgram dgram(SocketAddress local, SocketAddress remote) {
        return new NetdevConfig.Dgram("d", Optional.ofNullable(local), Optional.ofNullable(remote));
    }

    @Test
    void dgramCombinationsFollowTheSpecTable() {
        assertEquals("dgram requires local= parameter", refusal(dgram(null, null)));
        assertEquals("type=inet or type=unix requires remote parameter", refusal(dgram(INET, null)));
        assertDoesNotThrow(() -> dgram(FD, null).validate());
        assertDoesNotThrow(() -> dgram(null, MCAST).validate());
        assertDoesNotThrow(() -> dgram(INET, MCAST).validate());
        assertEquals("dgram requires local= parameter", refusal(dgram(null, INET)));
        assertDoesNotThrow(() -> dgram(INET, INET).validate());
        assertDoesNotThrow(() -> dgram(UNIX, UNIX).validate());
        assertEquals("remote and local types must be the same", refusal(dgram(INET, UNIX)));
        assertEquals("don't set remote with local.fd", refusal(dgram(FD, INET)));
        assertEquals("only support inet or fd type for local", refusal(dgram(UNIX, MCAST)));
        assertEquals("only support inet or fd type for local", refusal(dgram(new SocketAddress.Vsock("2", "5"), INET)));
    }

    private static NetdevConfig.Socket socket(String listen, String connect, String mcast, String localaddr, String udp) {
        return new NetdevConfig.Socket("s", Optional.empty(), Optional.ofNullable(listen), Optional.ofNullable(connect),
                Optional.ofNullable(mcast), Optional.ofNullable(localaddr), Optional.ofNullable(udp));
    }

    @Test
    void socketTakesExactlyOneMode() {
        assertEquals("exactly one of listen=, connect=, mcast= or udp= is required", refusal(socket(null, null, null, null, null)));
        assertEquals("exactly one of listen=, connect=, mcast= or udp= is required",
                refusal(socket(":1", "127.0.0.1:2", null, null, null)));
        assertEquals("localaddr= is only valid with mcast= or udp=", refusal(socket(":1", null, null, "127.0.0.1", null)));
        assertEquals("localaddr= is mandatory with udp=", refusal(socket(null, null, null, null, "127.0.0.1:5")));
        assertDoesNotThrow(() -> socket(null, null, "230.0.0.1:5", null, null).validate());
    }
}
