package io.vnetd.qmp.hmp;

import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_RING_FULL;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_SEND_FAILED;
import static io.vnetd.model.netclient.NetClientCounter.PEER_ERRORS;
import static io.vnetd.model.netclient.NetClientCounter.RX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.service.NetworkView;
import io.vnetd.qmp.FakeNetwork;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class InfoCountersTest {

    private static NetClientInfo client(String name, String type, boolean up, NetClientCounters counters) {
        return new NetClientInfo(name, type, up, Optional.empty(), OptionalInt.empty(), "", "ok", "local", Optional.ofNullable(counters));
    }

    @Test
    void oneRowPerClientInCreationOrderWithEachDropReasonNamed() {
        NetworkView view = new NetworkView(List.of(0), List.of(
                client("d0", "dgram", true, NetClientCounters.of(Map.of(RX_FRAMES, 3L, RX_BYTES, 192L,
                        TX_FRAMES, 1234567L, TX_BYTES, 79012288L, DROPPED_RING_FULL, 2L, DROPPED_SEND_FAILED, 1L))),
                client("hp0", "hubport", false, NetClientCounters.of(Map.of(TX_FRAMES, 5L, TX_BYTES, 320L, DROPPED_LINK_DOWN, 5L))),
                client("vnic", "nic", true, NetClientCounters.ZERO),
                client("s0", "stream", true, NetClientCounters.of(Map.of(PEER_ERRORS, 2L))),
                new NetClientInfo("s9", "stream", true, Optional.empty(), OptionalInt.empty(), "",
                        "can't bind ip=127.0.0.1 to socket: Address already in use", "local")));
        assertEquals("""
                name  type     link  rx-frames  rx-bytes  tx-frames  tx-bytes  peer-errors  dropped
                d0    dgram    up            3       192    1234567  79012288            0  ring-full=2,send-failed=1
                hp0   hubport  down          0         0          5       320            0  link-down=5
                vnic  nic      up            0         0          0         0            0  0
                s0    stream   up            0         0          0         0            2  0
                s9    stream   up            -         -          -         -            -  no port: can't bind ip=127.0.0.1 to socket: Address already in use
                """, InfoCounters.format(view));
    }

    @Test
    void servedByTheMonitorWithCrLfAndQemusErrors() {
        HumanMonitor monitor = new HumanMonitor(new FakeNetwork());
        assertEquals("name  type  link  rx-frames  rx-bytes  tx-frames  tx-bytes  peer-errors  dropped\r\n",
                monitor.execute("info vnetd-counters").toCompletableFuture().join());
        assertEquals("vnetd-counters: extraneous characters at the end of line\r\n",
                monitor.execute("info vnetd-counters all").toCompletableFuture().join());
    }
}
