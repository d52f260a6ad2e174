package io.vnetd.it.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * What one QMP client's commands should have made of its own net clients (those named with its prefix), as a pure
 * function of the commands the daemon acknowledged: {@link #apply} folds one command into a state. The rules are the
 * daemon's (and QEMU's): a NIC starts with its link up whatever its netdev's; {@code set_link} on a netdev whose peer is
 * a NIC sets the NIC's link too, on a NIC only the NIC's; deleting one side of a NIC's pair leaves the other unpeered.
 */
final class NetworkModel {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MOST_CLIENTS = 10;

    /** One net client as {@code __io.vnetd_query-net-clients} shows it: type, hub (hubports), link and peer. */
    record Entry(String type, Integer hub, boolean up, String peer) {

        Entry withUp(boolean value) {
            return new Entry(type, hub, value, peer);
        }

        Entry withPeer(String value) {
            return new Entry(type, hub, up, value);
        }
    }

    /** A command as sent: its name and arguments. */
    record Command(String execute, ObjectNode arguments) {

        @Override
        public String toString() {
            return execute + " " + arguments;
        }
    }

    private NetworkModel() {
    }

    /** The state after {@code command} was carried out on {@code state}; {@code state} itself is left as it was. */
    static Map<String, Entry> apply(Map<String, Entry> state, Command command) {
        Map<String, Entry> next = new TreeMap<>(state);
        JsonNode args = command.arguments();
        switch (command.execute()) {
            case "netdev_add" -> {
                String type = args.get("type").asText();
                next.put(args.get("id").asText(),
                        new Entry(type, type.equals("hubport") ? args.get("hubid").asInt() : null, true, null));
            }
            case "netdev_del", "device_del" -> {
                Entry gone = next.remove(args.get("id").asText());
                if (gone.peer() != null) {
                    next.computeIfPresent(gone.peer(), (name, peer) -> peer.withPeer(null));
                }
            }
            case "device_add" -> {
                String id = args.get("id").asText();
                String netdev = args.get("netdev").asText();
                next.put(id, new Entry("nic", null, true, netdev));
                next.computeIfPresent(netdev, (name, entry) -> entry.withPeer(id));
            }
            case "set_link" -> {
                String name = args.get("name").asText();
                boolean up = args.get("up").asBoolean();
                Entry entry = next.get(name);
                next.put(name, entry.withUp(up));
                if (!entry.type().equals("nic") && entry.peer() != null && next.get(entry.peer()).type().equals("nic")) {
                    next.computeIfPresent(entry.peer(), (peer, nic) -> nic.withUp(up));
                }
            }
            case "announce-self" -> {
                // Announces the NICs' addresses on the wire; the network itself stays as it is.
            }
            default -> throw new IllegalArgumentException("not modelled: " + command);
        }
        return next;
    }

    /**
     * A command that {@code state} allows (every name it uses exists, every new name is fresh): adds of hubports,
     * dgram and stream netdevs, deletes, set_link, device_add/device_del of e1000 NICs and announce-self. New names
     * are {@code prefix} and a number from {@code serial}.
     */
    static Command next(Map<String, Entry> state, String prefix, int hub, int[] serial, Random random) {
        List<String> netdevs = new ArrayList<>();
        List<String> free = new ArrayList<>();
        List<String> nics = new ArrayList<>();
        state.forEach((name, entry) -> {
            if (entry.type().equals("nic")) {
                nics.add(name);
            } else {
                netdevs.add(name);
                if (entry.peer() == null) {
                    free.add(name);
                }
            }
        });
        while (true) {
            int roll = random.nextInt(100);
            ObjectNode args = JSON.createObjectNode();
            if (roll < 35 && state.size() < MOST_CLIENTS) {
                String id = prefix + "n" + serial[0]++;
                args.put("id", id);
                int kind = random.nextInt(4);
                if (kind < 2) {
                    args.put("type", "hubport").put("hubid", hub);
                } else if (kind == 2) {
                    args.put("type", "dgram");
                    args.putObject("local").put("type", "inet").put("host", "127.0.0.1").put("port", "0");
                    args.putObject("remote").put("type", "inet").put("host", "127.0.0.1").put("port", "9");
                } else {
                    args.put("type", "stream").put("server", true);
                    args.putObject("addr").put("type", "inet").put("host", "127.0.0.1").put("port", "0");
                }
                return new Command("netdev_add", args);
            } else if (roll < 50 && !free.isEmpty()) {
                return new Command("netdev_del", args.put("id", pick(free, random)));
            } else if (roll < 70 && !state.isEmpty()) {
                List<String> all = new ArrayList<>(state.keySet());
                return new Command("set_link", args.put("name", pick(all, random)).put("up", random.nextBoolean()));
            } else if (roll < 82 && !free.isEmpty()) {
                return new Command("device_add", args.put("driver", "e1000").put("id", prefix + "d" + serial[0]++)
                        .put("netdev", pick(free, random)));
            } else if (roll < 92 && !nics.isEmpty()) {
                return new Command("device_del", args.put("id", pick(nics, random)));
            } else if (roll >= 92) {
                return new Command("announce-self",
                        args.put("initial", 50).put("max", 550).put("rounds", 1).put("step", 100));
            }
        }
    }

    /** The net clients named with {@code prefix} in a {@code __io.vnetd_query-net-clients} answer. */
    static Map<String, Entry> observed(JsonNode netClients, String prefix) {
        Map<String, Entry> state = new TreeMap<>();
        for (JsonNode client : netClients) {
            String name = client.get("name").asText();
            if (name.startsWith(prefix)) {
                state.put(name, new Entry(client.get("type").asText(),
                        client.has("hub") ? client.get("hub").asInt() : null,
                        client.get("link-up").asBoolean(),
                        client.has("peer") ? client.get("peer").asText() : null));
            }
        }
        return state;
    }

    private static String pick(List<String> names, Random random) {
        return names.get(random.nextInt(names.size()));
    }
}
