package io.vnetd.it.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one QMP client's commands should have made of its own net clients (those named with its prefix), as a pure
 * function of the commands the daemon acknowledged: {@link #apply} folds one command into a state. The rules are the
 * daemon's (and QEMU's): a NIC starts with its link up whatever its netdev's; {@code set_link} on a netdev whose peer is
 * a NIC sets the NIC's link too, on a NIC only the NIC's; deleting one side of a NIC's pair leaves the other unpeered.
 *
 * <p>A NIC may have a guest side (a tap in the client's network namespace); its rx-filter is then what the guest's
 * stack asks for: after {@code device_add} not promiscuous, with its own MAC and none of the client's multicast
 * groups, then changed by the guest commands ({@code ip link set promisc}, {@code ip maddr add/del},
 * {@code ip link set address}), which are not QMP commands: {@link #isGuest} tells them apart.
 */
final class NetworkModel {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MOST_CLIENTS = 10;
    private static final int MOST_GUESTS = 2;
    /** The multicast groups the clients' guests join: others in a filter are the kernel's own (33:33:00:00:00:01). */
    static final String GROUP_PREFIX = "01:00:5e:42:";
    static final String GUEST_PROPERTY = "__io.vnetd_guest";
    private static final String GUEST_PROMISC = "guest-promisc";
    private static final String GUEST_MADDR = "guest-maddr";
    private static final String GUEST_MAC = "guest-mac";

    /**
     * One net client as {@code __io.vnetd_query-net-clients} shows it: type, hub (hubports), link and peer; and for a
     * NIC with a guest side its rx-filter as {@code query-rx-filter} shows it, else null.
     */
    record Entry(String type, Integer hub, boolean up, String peer, RxFilter filter) {

        Entry withUp(boolean value) {
            return new Entry(type, hub, value, peer, filter);
        }

        Entry withPeer(String value) {
            return new Entry(type, hub, up, value, filter);
        }

        Entry withFilter(RxFilter value) {
            return new Entry(type, hub, up, peer, value);
        }
    }

    /** The parts of a NIC's rx-filter its guest changes: promiscuous, the client's multicast groups, the main MAC. */
    record RxFilter(boolean promiscuous, List<String> groups, String mac) {

        RxFilter {
            groups = List.copyOf(new TreeSet<>(groups));
        }

        RxFilter withGroup(String group, boolean member) {
            TreeSet<String> next = new TreeSet<>(groups);
            if (member) {
                next.add(group);
            } else {
                next.remove(group);
            }
            return new RxFilter(promiscuous, List.copyOf(next), mac);
        }

        /** As {@code query-rx-filter} shows one NIC's filter, the groups being those with {@link #GROUP_PREFIX}. */
        static RxFilter of(JsonNode shown) {
            List<String> groups = new ArrayList<>();
            for (JsonNode group : shown.get("multicast-table")) {
                if (group.asText().startsWith(GROUP_PREFIX)) {
                    groups.add(group.asText());
                }
            }
            return new RxFilter(shown.get("promiscuous").asBoolean(), groups, shown.get("main-mac").asText());
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
                        new Entry(type, type.equals("hubport") ? args.get("hubid").asInt() : null, true, null, null));
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
                RxFilter filter = args.has(GUEST_PROPERTY)
                        ? new RxFilter(false, List.of(), args.get("mac").asText()) : null;
                next.put(id, new Entry("nic", null, true, netdev, filter));
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
            case GUEST_PROMISC -> next.computeIfPresent(args.get("id").asText(), (name, nic) -> nic.withFilter(
                    new RxFilter(args.get("on").asBoolean(), nic.filter().groups(), nic.filter().mac())));
            case GUEST_MADDR -> next.computeIfPresent(args.get("id").asText(), (name, nic) -> nic.withFilter(
                    nic.filter().withGroup(args.get("group").asText(), args.get("add").asBoolean())));
            case GUEST_MAC -> next.computeIfPresent(args.get("id").asText(), (name, nic) -> nic.withFilter(
                    new RxFilter(nic.filter().promiscuous(), nic.filter().groups(), args.get("mac").asText())));
            case "announce-self" -> {
                // Announces the NICs' addresses on the wire; the network itself stays as it is.
            }
            default -> throw new IllegalArgumentException("not modelled: " + command);
        }
        return next;
    }

    /**
     * A command that {@code state} allows (every name it uses exists, every new name is fresh): adds of hubports,
     * dgram and stream netdevs, deletes, set_link, device_add/device_del of e1000 NICs and announce-self; with a
     * {@code namespace}, also virtio NICs with a guest side in it and the guest commands on them. New names are
     * {@code prefix} and a number from {@code serial}.
     */
    static Command next(Map<String, Entry> state, String prefix, int hub, String namespace, int[] serial, Random random) {
        List<String> netdevs = new ArrayList<>();
        List<String> free = new ArrayList<>();
        List<String> nics = new ArrayList<>();
        List<String> guests = new ArrayList<>();
        state.forEach((name, entry) -> {
            if (entry.type().equals("nic")) {
                nics.add(name);
                if (entry.filter() != null) {
                    guests.add(name);
                }
            } else {
                netdevs.add(name);
                if (entry.peer() == null) {
                    free.add(name);
                }
            }
        });
        if (!guests.isEmpty() && random.nextInt(100) < 30) {
            return guestCommand(state, pick(guests, random), hub, namespace, random);
        }
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
                int number = serial[0]++;
                String id = prefix + "d" + number;
                if (namespace != null && guests.size() < MOST_GUESTS && random.nextBoolean()) {
                    return new Command("device_add", args.put("driver", "virtio-net-pci").put("id", id)
                            .put("netdev", pick(free, random))
                            .put("mac", String.format("52:54:00:%02x:%02x:%02x", hub, (number >> 8) & 0xff, number & 0xff))
                            .put(GUEST_PROPERTY, "tap:" + guestInterface(id)).put(GUEST_PROPERTY + "-netns", namespace));
                }
                return new Command("device_add", args.put("driver", "e1000").put("id", id).put("netdev", pick(free, random)));
            } else if (roll < 92 && !nics.isEmpty()) {
                return new Command("device_del", args.put("id", pick(nics, random)));
            } else if (roll >= 92) {
                return new Command("announce-self",
                        args.put("initial", 50).put("max", 550).put("rounds", 1).put("step", 100));
            }
        }
    }

    /** A change the guest's stack makes to NIC {@code id}'s filter: promiscuous, a group joined or left, a new MAC. */
    private static Command guestCommand(Map<String, Entry> state, String id, int hub, String namespace, Random random) {
        RxFilter filter = state.get(id).filter();
        ObjectNode args = JSON.createObjectNode().put("id", id).put("netns", namespace).put("ifname", guestInterface(id));
        int kind = random.nextInt(3);
        if (kind == 0) {
            return new Command(GUEST_PROMISC, args.put("on", !filter.promiscuous()));
        } else if (kind == 1) {
            String group = GROUP_PREFIX + String.format("%02x:%02x", hub, random.nextInt(4));
            return new Command(GUEST_MADDR, args.put("group", group).put("add", !filter.groups().contains(group)));
        }
        return new Command(GUEST_MAC, args.put("mac", String.format("02:00:00:%02x:%02x:%02x", hub, random.nextInt(256),
                random.nextInt(256))));
    }

    /** Whether {@code command} is made by a NIC's guest (through {@code ip}) rather than sent over QMP. */
    static boolean isGuest(Command command) {
        return command.execute().startsWith("guest-");
    }

    /** The command line, run in the host, by which the guest's stack makes {@code command}. */
    static List<String> guestCommandLine(Command command) {
        JsonNode args = command.arguments();
        String ns = args.get("netns").asText();
        String ifname = args.get("ifname").asText();
        return switch (command.execute()) {
            case GUEST_PROMISC -> List.of("ip", "-n", ns, "link", "set", ifname, "promisc",
                    args.get("on").asBoolean() ? "on" : "off");
            case GUEST_MADDR -> List.of("ip", "-n", ns, "maddr", args.get("add").asBoolean() ? "add" : "del",
                    args.get("group").asText(), "dev", ifname);
            case GUEST_MAC -> List.of("ip", "-n", ns, "link", "set", ifname, "address", args.get("mac").asText());
            default -> throw new IllegalArgumentException("not a guest command: " + command);
        };
    }

    /** The guest-side tap of NIC {@code id} ({@code k3-d17}: {@code vtk3d17}, within the 15 bytes of a name). */
    static String guestInterface(String id) {
        return "vt" + id.replace("-", "");
    }

    /**
     * The net clients named with {@code prefix} in a {@code __io.vnetd_query-net-clients} answer, with their filters
     * from a {@code query-rx-filter} answer (which lists the virtio NICs: here those with a guest side; e1000 NICs have
     * no filter to query).
     */
    static Map<String, Entry> observed(JsonNode netClients, JsonNode rxFilters, String prefix) {
        Map<String, RxFilter> filters = new TreeMap<>();
        for (JsonNode filter : rxFilters) {
            filters.put(filter.get("name").asText(), RxFilter.of(filter));
        }
        Map<String, Entry> state = new TreeMap<>();
        for (JsonNode client : netClients) {
            String name = client.get("name").asText();
            if (name.startsWith(prefix)) {
                state.put(name, new Entry(client.get("type").asText(),
                        client.has("hub") ? client.get("hub").asInt() : null,
                        client.get("link-up").asBoolean(),
                        client.has("peer") ? client.get("peer").asText() : null,
                        filters.get(name)));
            }
        }
        return state;
    }

    private static String pick(List<String> names, Random random) {
        return names.get(random.nextInt(names.size()));
    }
}
