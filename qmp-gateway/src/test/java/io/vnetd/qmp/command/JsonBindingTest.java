package io.vnetd.qmp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.RxFilterInfo;
import io.vnetd.model.service.NetEvent;
import io.vnetd.qmp.TestJson;
import io.vnetd.qmp.protocol.EventEncoder;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.OutputShaper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The control plane's records against the schema, both ways. */
class JsonBindingTest {

    private static final Schema SCHEMA = Schema.load(Set.of("CONFIG_POSIX", "CONFIG_LINUX", "HAVE_IPPROTO_MPTCP"));

    private static String event(NetEvent event) {
        byte[] line = new EventEncoder(SCHEMA).encode(event, Instant.ofEpochSecond(1368697518, 326866000)).orElseThrow();
        return new String(line, StandardCharsets.US_ASCII);
    }

    @Test
    void everyEventOfTheControlPlaneFitsItsSchemaEvent() {
        String time = "{\"timestamp\": {\"seconds\": 1368697518, \"microseconds\": 326866}, ";
        assertEquals(time + "\"event\": \"NIC_RX_FILTER_CHANGED\", \"data\": {\"name\": \"vnet0\", "
                + "\"path\": \"/machine/peripheral/vnet0/virtio-backend\"}}\r\n",
                event(new NetEvent.NicRxFilterChanged(Optional.of("vnet0"), "/machine/peripheral/vnet0/virtio-backend")));
        assertEquals(time + "\"event\": \"FAILOVER_NEGOTIATED\", \"data\": {\"device-id\": \"net1\"}}\r\n",
                event(new NetEvent.FailoverNegotiated("net1")));
        assertEquals(time + "\"event\": \"DEVICE_DELETED\", \"data\": {\"path\": \"/machine/peripheral-anon/device[0]\"}}\r\n",
                event(new NetEvent.DeviceDeleted(Optional.empty(), "/machine/peripheral-anon/device[0]")));
        assertEquals(time + "\"event\": \"NETDEV_STREAM_DISCONNECTED\", \"data\": {\"netdev-id\": \"netdev0\"}}\r\n",
                event(new NetEvent.NetdevStreamDisconnected("netdev0")));
    }

    @Test
    void rxFilterInfoFitsItsSchemaType() {
        RxFilterInfo info = new RxFilterInfo("vnic", true, "normal", "normal", "all", false, false, false,
                "52:54:00:12:34:56", List.of(1, 0), List.of(), List.of("01:00:5e:00:00:01"));
        assertEquals("[{\"name\":\"vnic\",\"promiscuous\":true,\"multicast\":\"normal\",\"unicast\":\"normal\",\"vlan\":\"all\","
                + "\"broadcast-allowed\":false,\"multicast-overflow\":false,\"unicast-overflow\":false,\"main-mac\":\"52:54:00:12:34:56\","
                + "\"vlan-table\":[1,0],\"unicast-table\":[],\"multicast-table\":[\"01:00:5e:00:00:01\"]}]",
                new OutputShaper(SCHEMA).shape("RxFilterInfoList", JsonBinding.result(List.of(info))).toString());
    }

    @Test
    void checkedArgumentsBindToTheControlPlanesRecords() {
        assertEquals(new AnnounceParameters(50, 550, 10, 50, Optional.of(List.of("vn2")), Optional.empty()),
                JsonBinding.bind(TestJson.parse("{'initial': 50, 'max': 550, 'rounds': 10, 'step': 50, 'interfaces': ['vn2']}"),
                        AnnounceParameters.class));
        assertEquals(new NetdevConfig.Hubport("h0", -5, Optional.of("be0")),
                JsonBinding.bind(TestJson.parse("{'id': 'h0', 'type': 'hubport', 'hubid': -5, 'netdev': 'be0'}"), NetdevConfig.class));
        assertThrows(IllegalStateException.class,
                () -> JsonBinding.bind(TestJson.parse("{'id': 'h0', 'type': 'hubport', 'hubid': 0, 'extra': 1}"), NetdevConfig.class));
    }

    @Test
    void aResultThatDoesNotFitIsABug() {
        OutputShaper shaper = new OutputShaper(SCHEMA);
        assertEquals("VersionInfo lacks its member 'package'",
                assertThrows(IllegalStateException.class, () -> shaper.shape("VersionInfo", TestJson.parse("{'qemu': {'major': 1, 'minor': 2, 'micro': 3}}"))).getMessage());
        assertEquals("'extra' is no member of CommandInfo",
                assertThrows(IllegalStateException.class, () -> shaper.shape("CommandInfo", TestJson.parse("{'name': 'x', 'extra': 1}"))).getMessage());
    }
}
