package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vnetd.it.reliability.NetworkModel.Command;
import io.vnetd.it.reliability.NetworkModel.Entry;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jepsen's set check under {@code kill -9}: in each round 4 to 16 QMP clients change the network concurrently, each in
 * its own name space (so their commands never race on a name), until the daemon is killed at a random moment; then it
 * is restarted on the same data dir and every client's net clients are compared with what its acknowledged commands
 * make ({@link NetworkModel}). Lost (acknowledged but missing or different) and unexpected (present but never
 * acknowledged) must be none; the one command per client whose connection died before its answer may have happened
 * or not.
 *
 * <p>Half the clients (with root, /dev/net/tun and iproute2) also give some NICs a guest side, a tap in a network
 * namespace of their own ({@code vtlak0}, ...), and change those NICs' rx-filters as a guest's stack does: {@code ip
 * link set promisc}, {@code ip maddr add/del}, {@code ip link set address}. Such a change counts as acknowledged once
 * {@code query-rx-filter} shows it (the daemon journals a filter before it shows it).
 */
@Tag("reliability")
class LostAcknowledgementsIT {

    private static final String NET_CLIENTS = "__io.vnetd_query-net-clients";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long ROUND_LIMIT_MS = 30_000;
    private static final AtomicInteger ROUND_ACKNOWLEDGED = new AtomicInteger();
    private static final int MOST_CLIENTS = 16;
    private static final String NAMESPACE = "vtlak";
    /** How long a guest's change may take to show in query-rx-filter (the daemon reads it through rtnetlink). */
    private static final long FILTER_WAIT_MS = 10_000;
    /** How long after a restart the re-attached guest sides may take to report their filters again. */
    private static final long SETTLE_MS = 10_000;

    @TempDir
    Path dataDir;

    @BeforeEach
    @AfterEach
    void removeNamespaces() throws InterruptedException {
        if (guestSidesPossible()) {
            for (int c = 0; c < MOST_CLIENTS; c++) {
                // Deleting a namespace deletes the guests' taps in it; a missing one is no error here.
                shell(List.of("ip", "netns", "delete", NAMESPACE + c));
            }
        }
    }

    /** Whether every client found what its acknowledged commands make, or that and its command cut off. */
    private static boolean explained(List<Client> clients, JsonNode present, JsonNode filters) {
        for (Client client : clients) {
            Map<String, Entry> seen = NetworkModel.observed(present, filters, client.prefix);
            if (!seen.equals(client.model)
                    && (client.inFlight == null || !seen.equals(NetworkModel.apply(client.model, client.inFlight)))) {
                return false;
            }
        }
        return true;
    }

    private static boolean pause() throws InterruptedException {
        Thread.sleep(100);
        return true;
    }

    private static boolean guestSidesPossible() throws InterruptedException {
        return Files.isWritable(Path.of("/dev/net/tun")) && shell(List.of("ip", "netns", "list")) == null;
    }

    /** Runs a command for at most 20 s: null if it succeeded, else what it said. */
    private static String shell(List<String> command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "timed out: " + String.join(" ", command);
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return p.exitValue() == 0 ? null : String.join(" ", command) + ": " + output.trim();
        } catch (IOException e) {
            return String.join(" ", command) + ": " + e;
        }
    }

    /** One client's round: what it started from, what was acknowledged, and the command left without an answer. */
    private static final class Client implements Runnable {
        final String prefix;
        final int hub;
        final String namespace;
        final Random random;
        final int[] serial;
        final QmpClient qmp;
        Map<String, Entry> model;
        int acknowledged;
        int guestAcknowledged;
        int refused;
        String firstRefusal;
        Command inFlight;

        Client(String prefix, int hub, String namespace, Map<String, Entry> start, int[] serial, long seed, QmpClient qmp) {
            this.prefix = prefix;
            this.hub = hub;
            this.namespace = namespace;
            this.model = start;
            this.serial = serial;
            this.random = new Random(seed);
            this.qmp = qmp;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_LIMIT_MS);
            while (System.nanoTime() - deadline < 0) {
                Command command = NetworkModel.next(model, prefix, hub, namespace, serial, random);
                inFlight = command;
                String refusal;
                try {
                    refusal = NetworkModel.isGuest(command) ? guest(command) : qmp(command);
                } catch (IOException | RuntimeException connectionDied) {
                    return;
                }
                if (refusal == null) {
                    ROUND_ACKNOWLEDGED.incrementAndGet();
                } else {
                    refused++;
                    if (firstRefusal == null) {
                        firstRefusal = command + " -> " + refusal;
                    }
                }
            }
        }

        /**
         * Sends a QMP command; an answer acknowledges it. For a NIC with a guest side, then waits for its filter to be
         * the guest's (it is acknowledged all the same if the daemon dies meanwhile). Returns why it was refused, or null.
         */
        private String qmp(Command command) throws IOException {
            JsonNode reply = qmp.execute(command.execute(), command.arguments());
            inFlight = null;
            if (!reply.has("return")) {
                return reply.toString();
            }
            model = NetworkModel.apply(model, command);
            acknowledged++;
            String id = command.arguments().path("id").asText();
            if (command.execute().equals("device_add") && model.get(id).filter() != null) {
                try {
                    return awaitFilter(id);
                } catch (IOException | RuntimeException connectionDied) {
                    return null;
                }
            }
            return null;
        }

        /** Makes a guest's change with {@code ip}; acknowledged once query-rx-filter shows it. */
        private String guest(Command command) throws IOException {
            String failed;
            try {
                failed = shell(NetworkModel.guestCommandLine(command));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            if (failed != null) {
                inFlight = null;
                return failed;
            }
            Map<String, Entry> after = NetworkModel.apply(model, command);
            String id = command.arguments().get("id").asText();
            String notShown = awaitFilter(id, after.get(id).filter());
            inFlight = null;
            if (notShown == null) {
                model = after;
                acknowledged++;
                guestAcknowledged++;
            }
            return notShown;
        }

        private String awaitFilter(String id) throws IOException {
            return awaitFilter(id, model.get(id).filter());
        }

        /** Waits for NIC {@code id}'s filter to be {@code wanted}; returns null then, or what it was instead. */
        private String awaitFilter(String id, NetworkModel.RxFilter wanted) throws IOException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FILTER_WAIT_MS);
            NetworkModel.RxFilter shown = null;
            while (System.nanoTime() - deadline < 0) {
                JsonNode reply = qmp.execute("query-rx-filter", JSON.createObjectNode().put("name", id));
                if (!reply.has("return")) {
                    return "query-rx-filter: " + reply;
                }
                shown = NetworkModel.RxFilter.of(reply.get("return").get(0));
                if (shown.equals(wanted)) {
                    return null;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
            return "the filter of " + id + " stayed " + shown + ", not " + wanted;
        }
    }

    /** How often the daemon logged {@code text}: a start's repairs of commands a kill cut between two entities' writes. */
    private long logged(String text) throws IOException {
        try (Stream<String> lines = Files.lines(dataDir.resolve("vnetd.log"))) {
            return lines.filter(line -> line.contains(text)).count();
        }
    }

    @Test
    void noAcknowledgedChangeIsLostAndNothingUnsentAppears() throws Exception {
        int rounds = Soak.size(5, 50);
        long seed = Soak.seed();
        Random random = new Random(seed);
        Map<String, Map<String, Entry>> states = new HashMap<>();
        Map<String, int[]> serials = new HashMap<>();
        boolean guestSides = guestSidesPossible();
        Set<String> namespaces = new HashSet<>();
        long acknowledged = 0;
        long guestAcknowledged = 0;
        long refused = 0;
        long indeterminate = 0;
        long indeterminateRecovered = 0;
        long lost = 0;
        long unexpected = 0;
        List<String> findings = new ArrayList<>();
        VnetdProcess daemon = VnetdProcess.start(dataDir);
        try {
            for (int round = 0; round < rounds; round++) {
                int clientCount = 4 + random.nextInt(13);
                List<Client> clients = new ArrayList<>();
                List<Thread> threads = new ArrayList<>();
                for (int c = 0; c < clientCount; c++) {
                    String prefix = "k" + c + "-";
                    String namespace = guestSides && c % 2 == 0 ? NAMESPACE + c : null;
                    if (namespace != null && namespaces.add(namespace)) {
                        String failed = shell(List.of("ip", "netns", "add", namespace));
                        assertTrue(failed == null, failed);
                    }
                    clients.add(new Client(prefix, c, namespace, states.getOrDefault(prefix, Map.of()),
                            serials.computeIfAbsent(prefix, p -> new int[1]), random.nextLong(),
                            QmpClient.connect(daemon.qmpSocket())));
                }
                ROUND_ACKNOWLEDGED.set(0);
                for (Client client : clients) {
                    threads.add(Thread.ofPlatform().name(client.prefix + "r" + round).start(client));
                }
                // The random moment counts from the round's first answer, so that a slow start does not leave it empty.
                long firstAnswerBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                while (ROUND_ACKNOWLEDGED.get() == 0 && System.nanoTime() - firstAnswerBy < 0) {
                    Thread.sleep(5);
                }
                long killAfterMs = random.nextInt(1500);
                Thread.sleep(killAfterMs);
                daemon.kill();
                for (Thread thread : threads) {
                    thread.join(ROUND_LIMIT_MS + 10_000);
                    assertTrue(!thread.isAlive(), "a client did not stop after the daemon died");
                }
                for (Client client : clients) {
                    client.qmp.close();
                }
                daemon = VnetdProcess.start(dataDir);
                JsonNode present;
                JsonNode filters;
                try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                    // The guest sides are re-attached after the start and report their filters again: give them time.
                    long settleBy = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SETTLE_MS);
                    do {
                        present = qmp.ok(NET_CLIENTS, null);
                        filters = qmp.ok("query-rx-filter", null);
                    } while (!explained(clients, present, filters) && System.nanoTime() - settleBy < 0 && pause());
                }
                int roundAcknowledged = 0;
                for (Client client : clients) {
                    roundAcknowledged += client.acknowledged;
                    acknowledged += client.acknowledged;
                    guestAcknowledged += client.guestAcknowledged;
                    refused += client.refused;
                    if (client.firstRefusal != null) {
                        findings.add("round " + round + " refused: " + client.firstRefusal);
                    }
                    Map<String, Entry> expected = client.model;
                    Map<String, Entry> ifDone = client.inFlight == null ? null : NetworkModel.apply(expected, client.inFlight);
                    Map<String, Entry> seen = NetworkModel.observed(present, filters, client.prefix);
                    if (client.inFlight != null) {
                        indeterminate++;
                    }
                    if (!seen.equals(expected)) {
                        if (seen.equals(ifDone)) {
                            indeterminateRecovered++;
                        } else {
                            Set<String> names = new HashSet<>(expected.keySet());
                            names.addAll(seen.keySet());
                            int roundLost = 0;
                            int roundUnexpected = 0;
                            for (String name : names) {
                                Entry want = expected.get(name);
                                Entry got = seen.get(name);
                                boolean explained = ifDone != null && Objects.equals(ifDone.get(name), got);
                                if (want != null && !want.equals(got) && !explained) {
                                    roundLost++;
                                } else if (want == null && got != null && !explained) {
                                    roundUnexpected++;
                                }
                            }
                            if (roundLost + roundUnexpected == 0) {
                                roundLost = 1; // each name is explained, but not by one outcome: the command half happened
                            }
                            lost += roundLost;
                            unexpected += roundUnexpected;
                            findings.add("round " + round + " " + client.prefix + ": expected " + expected
                                    + (ifDone == null ? "" : " or, with " + client.inFlight + ", " + ifDone) + "; found " + seen);
                        }
                    }
                    states.put(client.prefix, new TreeMap<>(seen));
                }
                Soak.print("lost-acknowledgements", "round " + (round + 1) + "/" + rounds + ": " + clientCount
                        + " clients, killed " + killAfterMs + " ms after the first answer, " + roundAcknowledged + " acknowledged");
            }
        } finally {
            daemon.close();
        }
        Soak.print("lost-acknowledgements", "seed " + seed + ", rounds " + rounds + ", commands acknowledged " + acknowledged
                + " (rx-filter changes by guests " + guestAcknowledged
                + (guestSides ? "" : "; no guest sides: they need root, /dev/net/tun and iproute2") + ")"
                + ", refused " + refused + ", lost " + lost + ", unexpected " + unexpected + ", indeterminate " + indeterminate
                + ", indeterminate-recovered " + indeterminateRecovered
                + "; repaired at a start: one-sided peerings dropped " + logged("one-sided peering")
                + ", set_link completed on the NIC " + logged("(an interrupted command): completing it"));
        findings.forEach(finding -> Soak.print("lost-acknowledgements", finding));
        assertEquals(0, lost, "acknowledged changes lost (seed " + seed + "): " + findings);
        assertEquals(0, unexpected, "changes no client sent (seed " + seed + "): " + findings);
        assertEquals(0, refused, "commands valid by the model were refused (seed " + seed + "): " + findings);
        assertTrue(acknowledged >= rounds, "the clients got too little done to test anything: " + acknowledged);
    }
}
