package io.vnetd.qmp.command;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.service.NetworkService;
import io.vnetd.qmp.json.CDoubleFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** The commands of net.json, served by the control plane, and vnetd's net-client listing. */
public final class NetCommands {

    /**
     * {@code netdev_add}'s arguments: a whole {@code Netdev}, kept as a tree because a type vnetd has
     * no record for binds to none ({@link JsonBinding#netdev}), and the node it names, if any.
     */
    public record NetdevAddArguments(ObjectNode netdev, Optional<String> node) {
        /** The downstream member naming the vnetd node; it is not part of the backend's configuration. */
        static final String NODE = "__io.vnetd_node";

        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static NetdevAddArguments of(ObjectNode netdev) {
            ObjectNode config = netdev.deepCopy();
            JsonNode node = config.remove(NODE);
            return new NetdevAddArguments(config, Optional.ofNullable(node).map(JsonNode::textValue));
        }
    }

    public record NetdevDelArguments(String id) {
    }

    /**
     * {@code device_add}'s arguments ({@code 'gen': false}: any members), turned into properties the way
     * QEMU 7.2's {@code qemu_opts_from_qdict} does: strings as they are, numbers as text, booleans as
     * {@code on}/{@code off}, other values (and a non-string id) left out.
     */
    public record DeviceAddArguments(Map<String, String> properties) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        public static DeviceAddArguments of(ObjectNode arguments) {
            Map<String, String> properties = new LinkedHashMap<>();
            arguments.properties().forEach(member -> {
                JsonNode value = member.getValue();
                if (value.isTextual()) {
                    properties.put(member.getKey(), value.textValue());
                } else if (value.isNumber() && !member.getKey().equals("id")) {
                    properties.put(member.getKey(), value.isIntegralNumber() ? value.bigIntegerValue().toString()
                            : CDoubleFormat.format(value.doubleValue()));
                } else if (value.isBoolean() && !member.getKey().equals("id")) {
                    properties.put(member.getKey(), value.booleanValue() ? "on" : "off");
                }
            });
            return new DeviceAddArguments(properties);
        }
    }

    public record DeviceDelArguments(String id) {
    }

    public record SetLinkArguments(String name, boolean up) {
    }

    public record QueryRxFilterArguments(Optional<String> name) {
    }

    /** {@code __io.vnetd_NetClientInfo}; the counters' JSON form is {@code __io.vnetd_NetClientCounters}. */
    public record NetClientEntry(String name, String type, @JsonProperty("link-up") boolean linkUp,
                                 Optional<String> peer, OptionalInt hub, String info, String status,
                                 String node, Optional<NetClientCounters> counters) {
        static NetClientEntry of(NetClientInfo c) {
            return new NetClientEntry(c.name(), c.type(), c.linkUp(), c.peer(), c.hubId(), c.info(), c.status(),
                    c.node(), c.counters());
        }
    }

    private NetCommands() {
    }

    public static List<CommandBinding<?>> bindings(NetworkService network) {
        return List.of(
                CommandBinding.of("netdev_add", NetdevAddArguments.class,
                        (args, session) -> network.netdevAdd(JsonBinding.netdev(args.netdev()), args.node())),
                CommandBinding.of("netdev_del", NetdevDelArguments.class,
                        (args, session) -> network.netdevDel(args.id())),
                CommandBinding.of("device_add", DeviceAddArguments.class,
                        (args, session) -> network.deviceAdd(NicRequest.fromProperties(args.properties()))),
                CommandBinding.of("device_del", DeviceDelArguments.class,
                        (args, session) -> network.deviceDel(args.id())),
                CommandBinding.of("set_link", SetLinkArguments.class,
                        (args, session) -> network.setLink(args.name(), args.up())),
                CommandBinding.of("query-rx-filter", QueryRxFilterArguments.class,
                        (args, session) -> network.queryRxFilter(args.name())),
                CommandBinding.of("announce-self", AnnounceParameters.class,
                        (args, session) -> network.announceSelf(args)),
                CommandBinding.of("__io.vnetd_query-cluster", NoArguments.class,
                        (args, session) -> network.queryCluster()),
                CommandBinding.of("__io.vnetd_query-net-clients", NoArguments.class,
                        (args, session) -> network.queryNetwork()
                                .thenApply(view -> view.clients().stream().map(NetClientEntry::of).toList())));
    }
}
