package io.vnetd.qmp.visit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.qmp.TestJson;
import io.vnetd.qmp.schema.Command;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.Schema;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Argument checking, one message family after the other, with QEMU 7.2's wording. */
class InputVisitorTest {

    private static final Schema SCHEMA = Schema.load(Set.of("CONFIG_POSIX", "CONFIG_LINUX", "HAVE_IPPROTO_MPTCP"));

    private static String check(Schema schema, String command, String arguments) {
        Command c = schema.command(command).orElseThrow();
        try {
            ObjectNode checked = InputVisitor.visitArguments(schema, (ObjectType) schema.type(c.argType()),
                    (ObjectNode) TestJson.parse(arguments));
            return "ok " + checked; // insertion order: the schema's
        } catch (ArgumentException e) {
            return e.getMessage();
        }
    }

    private static String check(String command, String arguments) {
        return check(SCHEMA, command, arguments);
    }

    @Test
    void missing() {
        assertEquals("Parameter 'id' is missing", check("netdev_add", "{}"));
        assertEquals("Parameter 'type' is missing", check("netdev_add", "{'id': 'x'}"));
        assertEquals("Parameter 'hubid' is missing", check("netdev_add", "{'id': 'x', 'type': 'hubport'}"));
        assertEquals("Parameter 'addr.host' is missing",
                check("netdev_add", "{'id': 's', 'type': 'stream', 'addr': {'type': 'inet', 'port': '1'}}"));
        assertEquals("Parameter 'initial' is missing", check("announce-self", "{}"));
    }

    @Test
    void unexpected() {
        assertEquals("Parameter 'x' is unexpected", check("query-version", "{'x': 1}"));
        assertEquals("Parameter 'foo' is unexpected", check("qmp_capabilities", "{'foo': 1}"));
        assertEquals("Parameter 'bogus' is unexpected", check("netdev_add", "{'type': 'hubport', 'id': 'h0', 'hubid': 0, 'bogus': 1}"));
        assertEquals("Parameter 'ifname' is unexpected", check("netdev_add", "{'type': 'hubport', 'id': 'h1', 'hubid': 0, 'ifname': 'x'}"));
        assertEquals("Parameter 'local.bogus' is unexpected", check("netdev_add",
                "{'type': 'dgram', 'id': 'd0', 'local': {'type': 'inet', 'host': '127.0.0.1', 'port': '17101', 'bogus': 1}}"));
        assertEquals("Parameter 'baz' is unexpected", check("netdev_add", "{'type': 'tap', 'id': 't0', 'foo': 'bar', 'baz': 1}"));
        assertEquals("Parameter 'hostfwd[0].extra' is unexpected", check("netdev_add",
                "{'type': 'user', 'id': 'u0', 'hostfwd': [{'str': 'tcp:127.0.0.1:17103-:22', 'extra': 1}]}"));
        assertEquals("Parameter 'hostfwd[1].x' is unexpected", check("netdev_add",
                "{'type': 'user', 'id': 'u0', 'hostfwd': [{'str': 'a'}, {'str': 'b', 'x': 1}]}"));
        assertEquals("Parameter 'nic' is unexpected", check("query-rx-filter", "{'nic': 'x'}"));
    }

    @Test
    void wrongJsonTypeNamesTheFullPath() {
        assertEquals("Invalid parameter type for 'enable', expected: array", check("qmp_capabilities", "{'enable': 'oob'}"));
        assertEquals("Invalid parameter type for 'enable[0]', expected: string", check("qmp_capabilities", "{'enable': [1]}"));
        assertEquals("Invalid parameter type for 'id', expected: string", check("netdev_del", "{'id': 1}"));
        assertEquals("Invalid parameter type for 'up', expected: boolean", check("set_link", "{'name': 'x', 'up': 'yes'}"));
        assertEquals("Invalid parameter type for 'hubid', expected: integer", check("netdev_add", "{'id': 'x', 'type': 'hubport', 'hubid': '0'}"));
        assertEquals("Invalid parameter type for 'hubid', expected: integer", check("netdev_add", "{'id': 'x', 'type': 'hubport', 'hubid': 0.0}"));
        assertEquals("Invalid parameter type for 'addr.port', expected: string",
                check("netdev_add", "{'id': 's', 'type': 'stream', 'addr': {'type': 'inet', 'host': 'h', 'port': 1}}"));
        assertEquals("Invalid parameter type for 'addr', expected: object", check("netdev_add", "{'id': 's', 'type': 'stream', 'addr': 'x'}"));
        assertEquals("Invalid parameter type for 'hostfwd[0]', expected: object", check("netdev_add", "{'id': 'u', 'type': 'user', 'hostfwd': ['x']}"));
        assertEquals("Invalid parameter type for 'hostfwd[0].str', expected: string",
                check("netdev_add", "{'id': 'u', 'type': 'user', 'hostfwd': [{'str': null}]}"));
        assertEquals("Invalid parameter type for 'interfaces[0]', expected: string",
                check("announce-self", "{'initial': 0, 'max': 0, 'rounds': 0, 'step': 0, 'interfaces': [1]}"));
        assertEquals("Invalid parameter type for 'initial', expected: integer",
                check("announce-self", "{'initial': 'x', 'max': 0, 'rounds': 0, 'step': 0}"));
        assertEquals("Invalid parameter type for 'name', expected: string", check("query-rx-filter", "{'name': 1}"));
    }

    @Test
    void rangesNameTheMemberOnly() {
        assertEquals("Parameter 'hubid' expects int32_t", check("netdev_add", "{'id': 'x', 'type': 'hubport', 'hubid': 2147483648}"));
        assertEquals("ok {\"id\":\"x\",\"type\":\"hubport\",\"hubid\":-2147483648}",
                check("netdev_add", "{'id': 'x', 'type': 'hubport', 'hubid': -2147483648}"));
        String l2tp = "{'id': 'l', 'type': 'l2tpv3', 'src': 'a', 'dst': 'b', ";
        assertEquals("Parameter 'txsession' expects uint32_t", check("netdev_add", l2tp + "'txsession': -1}"));
        assertEquals("Parameter 'txsession' expects uint32_t", check("netdev_add", l2tp + "'txsession': 4294967296}"));
        assertEquals("Parameter 'txsession' expects uint64", check("netdev_add", l2tp + "'txsession': '1'}"));
        assertEquals("Parameter 'txcookie' expects uint64", check("netdev_add", l2tp + "'txsession': 1, 'txcookie': 1.5}"));
        assertEquals("Parameter 'sndbuf' expects uint64", check("netdev_add", "{'id': 't', 'type': 'tap', 'sndbuf': '1k'}"));
        assertEquals("Parameter 'port' expects uint16_t", check("netdev_add", "{'id': 'v', 'type': 'vde', 'port': 65536}"));
        assertEquals("Parameter 'to' expects uint16_t",
                check("netdev_add", "{'id': 's', 'type': 'stream', 'addr': {'type': 'inet', 'host': 'h', 'port': '1', 'to': -1}}"));
    }

    @Test
    void unsignedValuesWrapAsInQemu() {
        String l2tp = "{'id': 'l', 'type': 'l2tpv3', 'src': 'a', 'dst': 'b', 'txsession': 7, ";
        assertEquals("ok {\"id\":\"l\",\"type\":\"l2tpv3\",\"src\":\"a\",\"dst\":\"b\",\"txcookie\":18446744073709551615,\"txsession\":7}",
                check("netdev_add", l2tp + "'txcookie': -1}"));
        assertEquals("ok {\"id\":\"l\",\"type\":\"l2tpv3\",\"src\":\"a\",\"dst\":\"b\",\"txcookie\":18446744073709551615,\"txsession\":7}",
                check("netdev_add", l2tp + "'txcookie': 18446744073709551615}"));
    }

    @Test
    void enumsNameTheMemberOnly() {
        assertEquals("Parameter 'null' does not accept value 'bogus'", check("qmp_capabilities", "{'enable': ['bogus']}"));
        for (String type : new String[] {"tcp", "af-xdp", "vmnet-host", "HUBPORT", ""}) {
            assertEquals("Parameter 'type' does not accept value '" + type + "'", check("netdev_add", "{'id': 'x', 'type': '" + type + "'}"));
        }
        assertEquals("Parameter 'type' does not accept value 'tcp'",
                check("netdev_add", "{'id': 'd', 'type': 'dgram', 'local': {'type': 'tcp'}}"));
        assertEquals("Invalid parameter type for 'local.type', expected: string",
                check("netdev_add", "{'id': 'd', 'type': 'dgram', 'local': {'type': 5}}"));
    }

    @Test
    void checkedArgumentsHoldSchemaMembersOnly() {
        assertEquals("ok {\"id\":\"h0\",\"type\":\"hubport\",\"hubid\":0}",
                check("netdev_add", "{'hubid': 0, 'type': 'hubport', 'id': 'h0'}"));
        assertEquals("ok {\"enable\":[\"oob\"]}", check("qmp_capabilities", "{'enable': ['oob']}"));
        assertEquals("ok {}", check("query-version", "{}"));
    }

    @Test
    void alternatesNumbersNullsAndAny() {
        Map<String, String> files = Map.of("t.json", """
                { 'struct': 'Obj', 'data': { 'a': 'int' } }
                { 'alternate': 'Alt', 'data': { 'n': 'number', 's': 'str', 'o': 'Obj' } }
                { 'command': 'c', 'data': { '*alt': 'Alt', '*alts': ['Alt'], '*num': 'number', '*nul': 'null', '*any': 'any' } }
                """);
        Schema schema = Schema.parse(files::get, "t.json", Set.of());
        assertEquals("Invalid parameter type for 'alt', expected: Alt", check(schema, "c", "{'alt': true}"));
        assertEquals("Invalid parameter type for 'null', expected: Alt", check(schema, "c", "{'alts': [1, null]}"));
        assertEquals("Parameter 'alt.b' is unexpected", check(schema, "c", "{'alt': {'a': 1, 'b': 2}}"));
        assertEquals("ok {\"alts\":[1.5,\"x\",{\"a\":1}]}", check(schema, "c", "{'alts': [1.5, 'x', {'a': 1}]}"));
        assertEquals("ok {\"alt\":3.0}", check(schema, "c", "{'alt': 3}"));
        assertEquals("Invalid parameter type for 'num', expected: number", check(schema, "c", "{'num': '1'}"));
        assertEquals("Invalid parameter type for 'nul', expected: null", check(schema, "c", "{'nul': 0}"));
        assertEquals("ok {\"num\":2.0,\"nul\":null,\"any\":[{\"x\":null}]}",
                check(schema, "c", "{'num': 2, 'nul': null, 'any': [{'x': null}]}"));
    }
}
