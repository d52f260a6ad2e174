package io.vnetd.model.netclient;

import static io.vnetd.model.netclient.NetClientCounter.DROPPED_LINK_DOWN;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_NOT_CONNECTED;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_RING_FULL;
import static io.vnetd.model.netclient.NetClientCounter.PEER_ERRORS;
import static io.vnetd.model.netclient.NetClientCounter.RX_BYTES;
import static io.vnetd.model.netclient.NetClientCounter.RX_FRAMES;
import static io.vnetd.model.netclient.NetClientCounter.TX_FRAMES;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import io.vnetd.model.netclient.NetClientCounter.Side;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one definition of the net client counters, and their values' forms. */
class NetClientCountersTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void eachCounterHasItsOwnNameAndEveryOtherNameDerivesFromIt() {
        assertEquals(NetClientCounter.values().length,
                Arrays.stream(NetClientCounter.values()).map(NetClientCounter::qmpName).distinct().count());
        assertEquals(Optional.of("link-down"), DROPPED_LINK_DOWN.dropReason());
        assertEquals(Optional.empty(), RX_BYTES.dropReason());
        assertEquals(Optional.empty(), PEER_ERRORS.dropReason(), "a connection closed is no frame dropped");
        assertEquals("vnetd_netclient_rx_bytes_total", RX_BYTES.prometheusName());
        assertEquals("vnetd_netclient_dropped_ring_full_total", DROPPED_RING_FULL.prometheusName());
        assertEquals(DROPPED_NOT_CONNECTED, NetClientCounter.ofQmpName("dropped-not-connected"));
        assertThrows(IllegalArgumentException.class, () -> NetClientCounter.ofQmpName("droppedNotConnected"));
    }

    @Test
    void everyCounterIsCountedSomewhereAndOnlyRingFullOnBothSides() {
        List<NetClientCounter> port = Side.PORT.counters();
        List<NetClientCounter> backend = Side.BACKEND.counters();
        assertEquals(List.of(DROPPED_RING_FULL), port.stream().filter(backend::contains).toList());
        assertEquals(NetClientCounter.values().length, port.size() + backend.size() - 1);
    }

    @Test
    void valuesAddUpPerCounter() {
        NetClientCounters port = NetClientCounters.of(Map.of(RX_FRAMES, 2L, DROPPED_RING_FULL, 1L));
        NetClientCounters backend = NetClientCounters.of(Map.of(DROPPED_RING_FULL, 3L, DROPPED_NOT_CONNECTED, 4L));
        assertEquals(NetClientCounters.of(Map.of(RX_FRAMES, 2L, DROPPED_RING_FULL, 4L, DROPPED_NOT_CONNECTED, 4L)),
                port.plus(backend));
        assertEquals(port, port.plus(NetClientCounters.ZERO));
    }

    @Test
    void theJsonFormNamesEachValueByItsQmpNameAndReadsBack() throws Exception {
        NetClientCounters counters = NetClientCounters.of(counter -> counter.ordinal() * 10L);
        String json = JSON.writeValueAsString(counters);
        assertEquals("{\"rx-frames\":0,\"rx-bytes\":10,\"tx-frames\":20,\"tx-bytes\":30,\"dropped-link-down\":40,"
                + "\"dropped-filter\":50,\"dropped-ring-full\":60,\"dropped-peer-absent\":70,\"dropped-loop\":80,"
                + "\"dropped-not-connected\":90,\"dropped-send-failed\":100,\"dropped-too-long\":110,"
                + "\"dropped-bad-header\":120,\"peer-errors\":130}", json);
        assertEquals(counters, JSON.readValue(json, NetClientCounters.class));
        assertEquals(NetClientCounters.of(Map.of(TX_FRAMES, 1L)),
                JSON.readValue("{\"tx-frames\":1}", NetClientCounters.class), "a counter not given is 0");
        assertThrows(ValueInstantiationException.class, () -> JSON.readValue("{\"txFrames\":1}", NetClientCounters.class));
    }
}
