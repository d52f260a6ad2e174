package io.vnetd.qmp.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SchemaTest {

    static final Set<String> LINUX = Set.of("CONFIG_POSIX", "CONFIG_LINUX", "HAVE_IPPROTO_MPTCP");

    private static List<String> values(Schema schema, String enumName) {
        return ((EnumType) schema.type(enumName)).members().stream().map(EnumType.EnumMember::name).toList();
    }

    private static List<String> members(Schema schema, String typeName) {
        return ((ObjectType) schema.type(typeName)).members().stream().map(Member::name).toList();
    }

    @Test
    void conditionalDefinitionsFollowTheHost() {
        Schema linux = Schema.load(LINUX);
        assertEquals(List.of("none", "nic", "user", "tap", "l2tpv3", "socket", "stream", "dgram", "vde", "bridge",
                "hubport", "netmap", "vhost-user", "vhost-vdpa", "__io.vnetd_vhost-user-port"),
                values(linux, "NetClientDriver"));
        assertThrows(IllegalArgumentException.class, () -> linux.type("NetdevAFXDPOptions"));
        assertThrows(IllegalArgumentException.class, () -> linux.type("AFXDPMode"));
        assertEquals(List.of("path", "abstract", "tight"), members(linux, "UnixSocketAddress"));
        assertTrue(members(linux, "InetSocketAddress").contains("mptcp"));

        Schema xdp = Schema.load(Set.of("CONFIG_LINUX", "CONFIG_AF_XDP"));
        assertTrue(values(xdp, "NetClientDriver").contains("af-xdp"));
        ObjectType.Variants netdev = ((ObjectType) xdp.type("Netdev")).variants().orElseThrow();
        assertEquals("NetdevAFXDPOptions", netdev.branch("af-xdp").orElseThrow().type());
        assertFalse(members(xdp, "InetSocketAddress").contains("mptcp"));

        Schema mac = Schema.load(Set.of("CONFIG_POSIX", "CONFIG_VMNET"));
        assertEquals(List.of("path"), members(mac, "UnixSocketAddress"));
        assertTrue(values(mac, "NetClientDriver").containsAll(List.of("vmnet-host", "vmnet-shared", "vmnet-bridged")));
    }

    @Test
    void definitionsAreFlattenedAsQapiDoes() {
        Schema schema = Schema.load(LINUX);
        assertEquals(List.of("host", "port", "numeric", "to", "ipv4", "ipv6", "keep-alive", "mptcp"),
                members(schema, "InetSocketAddress"));
        ObjectType netdev = (ObjectType) schema.type("Netdev");
        assertEquals(List.of("id", "type", "__io.vnetd_node"), netdev.members().stream().map(Member::name).toList());
        ObjectType.Variants variants = netdev.variants().orElseThrow();
        assertEquals("type", variants.tag());
        // enum values without a branch get the empty type, after the listed branches
        assertEquals(new Variant("none", Schema.EMPTY_TYPE), variants.branches().getLast());
        assertEquals(15, variants.branches().size(), "13 of QEMU's, none, and vnetd's vhost-user port");

        Command netdevAdd = schema.command("netdev_add").orElseThrow();
        assertTrue(netdevAdd.boxed());
        assertEquals("Netdev", netdevAdd.argType());
        assertEquals(Schema.EMPTY_TYPE, netdevAdd.retType());
        assertEquals("q_obj_set_link-arg", schema.command("set_link").orElseThrow().argType());
        assertEquals("RxFilterInfoList", schema.command("query-rx-filter").orElseThrow().retType());
        assertFalse(schema.command("device_add").orElseThrow().generated());
        assertEquals(List.of("unstable"),
                ((ObjectType) schema.type("NetdevVhostVDPAOptions")).members().getLast().features());
        assertEquals(List.of("NIC_RX_FILTER_CHANGED", "FAILOVER_NEGOTIATED", "NETDEV_STREAM_CONNECTED",
                "NETDEV_STREAM_DISCONNECTED", "DEVICE_DELETED"), schema.events().stream().map(Event::name).toList());
    }

    @Test
    void docCommentsAreAttached() {
        Schema schema = Schema.load(LINUX);
        Doc doc = schema.command("set_link").orElseThrow().doc();
        assertEquals("Sets the link status of a virtual network adapter.", doc.body());
        assertEquals("the device name of the virtual network adapter", doc.members().get("name"));
        assertTrue(doc.sections().stream().anyMatch(s -> s.tag().equals("Since") && s.text().equals("0.14")));
        assertEquals("Member @x-svq is experimental.", schema.type("NetdevVhostVDPAOptions").doc().features().get("unstable"));
    }

    @Test
    void malformedSchemasAreRefusedWithALocation() {
        Map<String, String> files = Map.of(
                "bad-ref.json", "{ 'struct': 'A', 'data': { 'b': 'Nope' } }",
                "bad-syntax.json", "{ 'struct': 'A', 'data': { 'b': \"str\" } }",
                "dup.json", "{ 'enum': 'E', 'data': [ 'x' ] }\n{ 'struct': 'E', 'data': {} }",
                "bad-union.json", "{ 'enum': 'E', 'data': [ 'x' ] }\n{ 'union': 'U', 'base': { 'k': 'E' },"
                        + " 'discriminator': 'k', 'data': { 'y': 'U' } }");
        assertEquals("bad-ref.json:1: type 'Nope' is not defined (or its condition fails)",
                assertThrows(SchemaException.class, () -> Schema.parse(files::get, "bad-ref.json", Set.of())).getMessage());
        assertEquals("bad-syntax.json:1: stray '\"'",
                assertThrows(SchemaException.class, () -> Schema.parse(files::get, "bad-syntax.json", Set.of())).getMessage());
        assertEquals("dup.json:2: 'E' is already defined",
                assertThrows(SchemaException.class, () -> Schema.parse(files::get, "dup.json", Set.of())).getMessage());
        assertEquals("bad-union.json:2: branch 'y' is not a value of E",
                assertThrows(SchemaException.class, () -> Schema.parse(files::get, "bad-union.json", Set.of())).getMessage());
    }

    @Test
    void referenceDocumentationRenders() {
        String markdown = SchemaDocs.markdown(Schema.load(LINUX));
        assertTrue(markdown.startsWith("# vnetd QMP reference\n"));
        assertTrue(markdown.contains("\n### `netdev_add`\n"));
        assertTrue(markdown.contains("Arguments: the members of [`Netdev`](#type-Netdev)."));
        assertTrue(markdown.contains("| `up` | `bool` | no | true to set the link status to be up |"));
        assertTrue(markdown.contains("\n### `Netdev` (union, discriminator `type`)\n"));
        assertTrue(markdown.contains("| `hubport` | [`NetdevHubPortOptions`](#type-NetdevHubPortOptions) |"));
        assertTrue(markdown.contains("| `none` | none |"));
        assertTrue(markdown.contains("\n### `NETDEV_STREAM_CONNECTED`\n"));
        assertTrue(markdown.contains("| `vlan-table` | list of `int` | no | a list of active vlan id |"));
        assertTrue(markdown.contains("```\n-> { \"execute\": \"set_link\","));
        assertFalse(markdown.contains("af-xdp"));
    }
}
