package io.vnetd.model.netdev;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.error.NetException;
import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The option rules QEMU checks before it touches a socket, with its wording. */
class NetdevConfigTest {

    private static final SocketAddress INET = SocketAddress.Inet.of("127.0.0.1", "17100");

    private static String refusal(NetdevConfig config) {
        return assertThrows(NetException.class, config::validate).desc();
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

    @Test
    void socketChecksTheModeCountThenLocaladdrThenTheDescriptor() {
        assertEquals("exactly one of listen=, connect=, mcast= or udp= is required",
                refusal(socket("127.0.0.1:17180", "127.0.0.1:17181", null, "127.0.0.1", null)));
        var fdWithLocaladdr = new NetdevConfig.Socket("s", Optional.of("nosuchfd"), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.of("127.0.0.1"), Optional.empty());
        assertEquals("localaddr= is only valid with mcast= or udp=", refusal(fdWithLocaladdr));
        var fdWithListen = new NetdevConfig.Socket("s", Optional.of("3"), Optional.of("127.0.0.1:17184"),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        assertEquals("exactly one of listen=, connect=, mcast= or udp= is required", refusal(fdWithListen));
    }

    @Test
    void aStreamServerDoesNotReconnect() {
        var server = new NetdevConfig.Stream("s", INET, Optional.of(true), Optional.of(1L));
        assertEquals("'reconnect' option is incompatible with socket in server mode", refusal(server));
        assertDoesNotThrow(() -> new NetdevConfig.Stream("c", INET, Optional.empty(), Optional.of(1L)).validate());
    }

    private static NetdevConfig.Tap tap(String ifname, String fd, String fds, String helper, String vhostfds, Long queues) {
        return new NetdevConfig.Tap("t", Optional.ofNullable(ifname), Optional.ofNullable(fd), Optional.ofNullable(fds),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.ofNullable(helper), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.ofNullable(vhostfds), Optional.empty(),
                Optional.ofNullable(queues), Optional.empty());
    }

    @Test
    void tapOptionsGoTogetherAsInQemu() {
        assertEquals("ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=",
                refusal(tap("qotap9", "nosuchfd", null, null, null, null)));
        assertEquals("ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=",
                refusal(tap("qotap16", null, null, "/nonexistent/helper", null, null)));
        assertEquals("vhostfds= is invalid if fds= wasn't specified", refusal(tap(null, null, null, null, "a:b", null)));
        assertEquals("tap: queues must be at least 1", refusal(tap("t0", null, null, null, null, 0L)));
        assertDoesNotThrow(() -> tap("qotap5", null, null, null, null, 2L).validate());
    }

    /** fd= is looked at before fds=, fds= before helper=, and all of them before queues (QEMU 7.2 aborts on 0). */
    @Test
    void tapChecksFdThenFdsThenHelperThenVhostfdsThenQueues() {
        String withFd = "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, fds=, and vhostfds= are invalid with fd=";
        String withFds = "ifname=, script=, downscript=, vnet_hdr=, helper=, queues=, and vhostfd= are invalid with fds=";
        String withHelper = "ifname=, script=, downscript=, vnet_hdr=, queues=, and vhostfds= are invalid with helper=";
        assertEquals(withFd, refusal(tap(null, "nosuchfd", "a:b", null, null, null)));
        assertEquals(withFds, refusal(tap(null, null, "a:b", "/nonexistent/helper", null, null)));
        assertEquals(withHelper, refusal(tap(null, null, null, "/nonexistent/helper", "c:d", null)));
        assertEquals(withFd, refusal(tap(null, "nosuchfd", null, null, null, 0L)));
        assertEquals(withHelper, refusal(tap(null, null, null, "/nonexistent/helper", null, 0L)));
        assertEquals("vhostfds= is invalid if fds= wasn't specified", refusal(tap(null, null, null, null, "c", 0L)));
    }

    private static NetdevConfig.L2tpv3 l2tpv3(boolean udp, String srcport, BigInteger txcookie, BigInteger rxcookie, Long offset) {
        return new NetdevConfig.L2tpv3("l", "127.0.0.1", "127.0.0.1", Optional.ofNullable(srcport), Optional.of("1701"),
                Optional.empty(), Optional.of(udp), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.ofNullable(txcookie), Optional.ofNullable(rxcookie), 7, Optional.empty(), Optional.ofNullable(offset));
    }

    @Test
    void l2tpv3OptionsFollowQemu() {
        assertEquals("need both src and dst port for udp", refusal(l2tpv3(true, null, null, null, null)));
        assertEquals("require both 'rxcookie' and 'txcookie' or neither",
                refusal(l2tpv3(true, "1701", BigInteger.ONE, null, null)));
        assertEquals("offset must be less than 256 bytes", refusal(l2tpv3(false, null, null, null, 257L)));
        assertEquals("offset must be less than 256 bytes", refusal(l2tpv3(true, null, BigInteger.ONE, null, 300L)),
                "QEMU looks at the offset first, then the cookies, then the ports");
        assertEquals("require both 'rxcookie' and 'txcookie' or neither",
                refusal(l2tpv3(true, null, BigInteger.ONE, null, null)));
        assertDoesNotThrow(() -> l2tpv3(true, "1701", BigInteger.ONE, BigInteger.TWO, 256L).validate(),
                "QEMU takes 256 despite its message");
        assertEquals(7, l2tpv3(false, null, null, null, null).receiveSession(), "rxsession defaults to txsession");
    }

    @Test
    void vhostVdpaTakesADeviceOrADescriptorNotBoth() {
        var both = new NetdevConfig.VhostVdpa("v", Optional.of("/nonexistent/vdpa"), Optional.of("nosuchfd"),
                Optional.of(0L), Optional.of(true));
        assertEquals("vhost-vdpa: vhostdev= and vhostfd= are mutually exclusive", refusal(both));
    }

    private static NetdevConfig.VhostUserPort vhostUser(String path, Boolean server, Long reconnect, Long queues) {
        return new NetdevConfig.VhostUserPort("v", path, Optional.ofNullable(server), Optional.ofNullable(reconnect),
                Optional.ofNullable(queues));
    }

    @Test
    void vhostUserPortOptions() {
        assertEquals("'reconnect' option is incompatible with socket in server mode",
                refusal(vhostUser("/tmp/v", null, 2L, null)));
        assertEquals("vhost-user-port: 'path' must not be empty", refusal(vhostUser("", null, null, null)));
        assertEquals("vhost-user-port: 'reconnect' must be at least 1", refusal(vhostUser("/tmp/v", false, 0L, null)));
        assertEquals("vhost-user-port: 'queues' must be between 1 and 128", refusal(vhostUser("/tmp/v", null, null, 0L)));
        assertEquals("vhost-user-port: 'queues' must be between 1 and 128", refusal(vhostUser("/tmp/v", null, null, 129L)));
        NetdevConfig.VhostUserPort defaults = vhostUser("/tmp/v", null, null, null);
        assertDoesNotThrow(defaults::validate);
        assertEquals(true, defaults.isServer());
        assertEquals(1, defaults.queuePairs());
        assertEquals(1, vhostUser("/tmp/v", false, null, null).reconnectSeconds());
        assertDoesNotThrow(() -> vhostUser("/tmp/v", false, 5L, 128L).validate());
    }
}
