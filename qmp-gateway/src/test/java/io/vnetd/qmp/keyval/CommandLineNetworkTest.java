package io.vnetd.qmp.keyval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.qmp.schema.HostConditions;
import io.vnetd.qmp.schema.Schema;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineNetworkTest {

    private static final Schema SCHEMA = Schema.load(HostConditions.detect());
    private static final CommandLineNetwork COMMAND_LINE = new CommandLineNetwork(SCHEMA);

    private static String refusal(String netdev) {
        return assertThrows(NetException.class, () -> COMMAND_LINE.netdev(netdev)).desc();
    }

    @Test
    void keyvalNetdevsBecomeTheSameRecordsAsNetdevAdd() {
        assertEquals(new NetdevConfig.Hubport("clinet", 3, Optional.empty()), COMMAND_LINE.netdev("hubport,id=clinet,hubid=3"));
        assertEquals(new NetdevConfig.Hubport("h1", -5, Optional.of("h0")), COMMAND_LINE.netdev("hubport,id=h1,hubid=-5,netdev=h0"));
        assertEquals(new NetdevConfig.Hubport("h2", 16, Optional.empty()), COMMAND_LINE.netdev("type=hubport,id=h2,hubid=0x10"));
        assertEquals(new NetdevConfig.Hubport("j", 1, Optional.empty()),
                COMMAND_LINE.netdev("{'type': 'hubport', 'id': 'j', 'hubid': 1}"));
    }

    @Test
    void netdevAddsRulesAreLeftToTheNetworkService() {
        assertEquals(new NetdevConfig.Hubport("0h", 0, Optional.empty()), COMMAND_LINE.netdev("hubport,id=0h,hubid=0"));
        assertEquals(new NetdevConfig.Unsupported("u", "user"), COMMAND_LINE.netdev("user,id=u,hostfwd.0.str=tcp::1-:2"));
        assertEquals(new NetdevConfig.Unsupported("n", "nic"), COMMAND_LINE.netdev("{'type': 'nic', 'id': 'n'}"));
    }

    @Test
    void dottedKeysBuildNestedMembersAndNumberedOnesLists() {
        assertEquals("{\"type\":\"stream\",\"id\":\"s0\",\"server\":\"on\",\"addr\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"17180\"}}",
                KeyvalParser.parse("stream,id=s0,server=on,addr.type=inet,addr.host=127.0.0.1,addr.port=17180", "type").toString());
        assertEquals("{\"type\":\"user\",\"id\":\"u\",\"hostfwd\":[{\"str\":\"a\"},{\"str\":\"b\"}]}",
                KeyvalParser.parse("user,id=u,hostfwd.1.str=b,hostfwd.0.str=a", "type").toString());
        ObjectNode typed = (ObjectNode) new KeyvalTyper(SCHEMA).type(
                KeyvalParser.parse("stream,id=s0,server=on,reconnect=5,addr.type=inet,addr.host=h,addr.port=1", "type"), "Netdev", "");
        assertEquals(true, typed.get("server").booleanValue());
        assertEquals(5, typed.get("reconnect").intValue());
        assertEquals("1", typed.at("/addr/port").textValue(), "a port is a string in the schema");
    }

    @Test
    void badOptionsAreRefusedWithTheSchemasWords() {
        assertEquals("Parameter 'hubid' is missing", refusal("hubport,id=h0"));
        assertEquals("Invalid parameter type for 'hubid', expected: integer", refusal("hubport,id=h0,hubid=zero"));
        assertEquals("Parameter 'bogus' is unexpected", refusal("hubport,id=h0,hubid=0,bogus=1"));
        assertEquals("Parameter 'type' does not accept value 'tcp'", refusal("tcp,id=h0"));
        assertEquals("Expected '=' after parameter 'hubid'", refusal("hubport,id=h0,hubid"));
    }

    @Test
    void devicesKeepTheirPropertiesAsStrings() {
        assertEquals(new NicRequest("virtio-net-pci", Optional.of("vnic"), Optional.of("h0"), Optional.of("52:54:00:12:34:56"),
                        Optional.of("rp1"), Optional.empty(), false, List.of()),
                COMMAND_LINE.device("virtio-net-pci,id=vnic,netdev=h0,mac=52:54:00:12:34:56,bus=rp1,romfile="));
        assertEquals(List.of("speed"), COMMAND_LINE.device("e1000,netdev=h0,speed=100").unknownProperties());
        assertEquals("a,b", COMMAND_LINE.device("e1000,id=x,bus=a,,b").bus().orElseThrow());
    }

    /** Property names with dots (vnetd's downstream ones) are flat names, as in QEMU's QemuOpts. */
    @Test
    void aNicsGuestSideIsTwoDottedProperties() {
        NicRequest request = COMMAND_LINE.device(
                "virtio-net-pci,id=n0,netdev=h0,__io.vnetd_guest=tap:vtg0,__io.vnetd_guest-netns=guest1");
        assertEquals(Optional.of("tap:vtg0"), request.guest());
        assertEquals(Optional.of("guest1"), request.guestNetns());
        assertEquals(List.of(), request.unknownProperties());
    }
}
