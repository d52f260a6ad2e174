package io.vnetd.it.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.it.reliability.NetworkModel.Command;
import io.vnetd.it.reliability.NetworkModel.Entry;
import io.vnetd.it.support.QmpClient;
import io.vnetd.it.support.VnetdProcess;
import java.io.IOException;
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
 */
@Tag("reliability")
class LostAcknowledgementsIT {

    private static final String NET_CLIENTS = "__io.vnetd_query-net-clients";
    private static final long ROUND_LIMIT_MS = 30_000;
    private static final AtomicInteger ROUND_ACKNOWLEDGED = new AtomicInteger();

    @TempDir
    Path dataDir;

    /** One client's round: what it started from, what was acknowledged, and the command left without an answer. */
    private static final class Client implements Runnable {
        final String prefix;
        final int hub;
        final Random random;
        final int[] serial;
        final QmpClient qmp;
        Map<String, Entry> model;
        int acknowledged;
        int refused;
        String firstRefusal;
        Command inFlight;

        Client(String prefix, int hub, Map<String, Entry> start, int[] serial, long seed, QmpClient qmp) {
            this.prefix = prefix;
            this.hub = hub;
            this.model = start;
            this.serial = serial;
            this.random = new Random(seed);
            this.qmp = qmp;
        }

        @Override
        public void run() {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ROUND_LIMIT_MS);
            while (System.nanoTime() - deadline < 0) {
                Command command = NetworkModel.next(model, prefix, hub, serial, random);
                inFlight = command;
                JsonNode reply;
                try {
                    reply = qmp.execute(command.execute(), command.arguments());
                } catch (IOException | RuntimeException connectionDied) {
                    return;
                }
                inFlight = null;
                if (reply.has("return")) {
                    model = NetworkModel.apply(model, command);
                    acknowledged++;
                    ROUND_ACKNOWLEDGED.incrementAndGet();
                } else {
                    refused++;
                    if (firstRefusal == null) {
                        firstRefusal = command + " -> " + reply;
                    }
                }
            }
        }
    }

    @Test
    void noAcknowledgedChangeIsLostAndNothingUnsentAppears() throws Exception {
        int rounds = Soak.size(5, 50);
        long seed = Soak.seed();
        Random random = new Random(seed);
        Map<String, Map<String, Entry>> states = new HashMap<>();
        Map<String, int[]> serials = new HashMap<>();
        long acknowledged = 0;
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
                    clients.add(new Client(prefix, c, states.getOrDefault(prefix, Map.of()),
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
                try (QmpClient qmp = QmpClient.connect(daemon.qmpSocket())) {
                    present = qmp.ok(NET_CLIENTS, null);
                }
                int roundAcknowledged = 0;
                for (Client client : clients) {
                    roundAcknowledged += client.acknowledged;
                    acknowledged += client.acknowledged;
                    refused += client.refused;
                    if (client.firstRefusal != null) {
                        findings.add("round " + round + " refused: " + client.firstRefusal);
                    }
                    Map<String, Entry> expected = client.model;
                    Map<String, Entry> ifDone = client.inFlight == null ? null : NetworkModel.apply(expected, client.inFlight);
                    Map<String, Entry> seen = NetworkModel.observed(present, client.prefix);
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
                + ", refused " + refused + ", lost " + lost + ", unexpected " + unexpected + ", indeterminate " + indeterminate
                + ", indeterminate-recovered " + indeterminateRecovered);
        findings.forEach(finding -> Soak.print("lost-acknowledgements", finding));
        assertEquals(0, lost, "acknowledged changes lost (seed " + seed + "): " + findings);
        assertEquals(0, unexpected, "changes no client sent (seed " + seed + "): " + findings);
        assertEquals(0, refused, "commands valid by the model were refused (seed " + seed + "): " + findings);
        assertTrue(acknowledged >= rounds, "the clients got too little done to test anything: " + acknowledged);
    }
}
