package io.vnetd.it.bench.scale;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.bench.control.Commands;
import io.vnetd.it.interop.Ports;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * The net clients of one size: hubports {@code hI} on hub {@code I % 100} make up the bulk, with
 * {@code dgram} netdevs {@code dI} on free loopback ports and virtio-net-pci NICs {@code nI} on the hubports
 * {@code hI} (a netdev has one NIC at most), 1,000 of each, or a tenth of the size each below 10,000.
 *
 * @param ports two per dgram netdev: its local port, then its remote one
 */
record Population(int size, int hubports, int dgrams, int nics, List<Integer> ports) {

    static final String HUBPORTS = "hubports";
    static final String DGRAMS = "dgram netdevs";
    static final String NICS = "NICs";

    private static final int HUBS = 100;
    private static final int MAX_DGRAMS_AND_NICS = 1000;

    static Population of(int size) {
        int each = Math.min(MAX_DGRAMS_AND_NICS, size / 10);
        // Distinct: a port let go may come back from the next bind to port 0.
        Set<Integer> ports = new LinkedHashSet<>();
        while (ports.size() < 2 * each) {
            ports.add(Ports.udp());
        }
        return new Population(size, size - 2 * each, each, each, List.copyOf(ports));
    }

    static int hub(int index) {
        return index % HUBS;
    }

    byte[] addHubport(int i) {
        return Commands.netdevAdd("h" + i, hub(i));
    }

    byte[] addDgram(int i) {
        return Commands.dgramAdd("d" + i, ports.get(2 * i), ports.get(2 * i + 1));
    }

    byte[] addNic(int i) {
        return Commands.deviceAdd("n" + i, "h" + i, mac(i));
    }

    /** A locally administered MAC from a 24-bit number: QEMU's automatic ones run out after 256. */
    static String mac(int number) {
        return String.format("52:54:00:%02x:%02x:%02x", number >> 16 & 0xff, number >> 8 & 0xff, number & 0xff);
    }

    /** The name of hubport {@code i} of those without a NIC, which {@code set_link} toggles. */
    String plainHubport(int i) {
        return "h" + (nics + i);
    }

    int plainHubports() {
        return hubports - nics;
    }

    /**
     * What is wrong with a {@code __io.vnetd_query-net-clients} listing, measured against this population: every
     * client there with its type, a hubport on its hub, a NIC on its hubport, no other; {@code null} if nothing is.
     */
    String mismatch(JsonNode listing) {
        Map<String, String> listed = new HashMap<>();
        listing.forEach(client -> listed.put(client.path("name").asText(), describe(client)));
        Map<String, String> built = described();
        if (listed.equals(built)) {
            return null;
        }
        String first = built.keySet().stream().filter(name -> !Objects.equals(built.get(name), listed.get(name)))
                .findFirst().map(name -> name + " is " + listed.get(name) + ", built as " + built.get(name))
                .orElse("clients listed that were never built");
        return "recovered " + countsByType(listed) + ", built " + countsByType(built) + "; " + first;
    }

    private static String describe(JsonNode client) {
        String type = client.path("type").asText();
        return switch (type) {
            case "hubport" -> type + " hub=" + client.path("hub").asInt(-1) + linkUp(client);
            case "nic" -> type + " peer=" + client.path("peer").asText() + linkUp(client);
            default -> type + linkUp(client);
        };
    }

    private static String linkUp(JsonNode client) {
        return " up=" + client.path("link-up").asBoolean();
    }

    private Map<String, String> described() {
        Map<String, String> clients = new HashMap<>();
        for (int i = 0; i < hubports; i++) {
            clients.put("h" + i, "hubport hub=" + hub(i) + " up=true");
        }
        for (int i = 0; i < dgrams; i++) {
            clients.put("d" + i, "dgram up=true");
        }
        for (int i = 0; i < nics; i++) {
            clients.put("n" + i, "nic peer=h" + i + " up=true");
        }
        return clients;
    }

    private static Map<String, Integer> countsByType(Map<String, String> clients) {
        Map<String, Integer> counts = new TreeMap<>();
        clients.values().forEach(d -> counts.merge(d.substring(0, d.indexOf(' ')), 1, Integer::sum));
        return counts;
    }
}
