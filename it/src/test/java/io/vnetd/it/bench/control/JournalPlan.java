package io.vnetd.it.bench.control;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;

/**
 * The journal the recovery benchmark builds through QMP: {@code entities} hubports (100 per hub),
 * each with {@code eventsPerEntity} events: {@code Created}, then {@code set_link} toggles starting
 * with down (every toggle changes the link, so every one is an event). Client {@code c} of
 * {@code clients} builds the hubports {@code c, c + clients, ...}, one after another.
 */
record JournalPlan(int entities, int eventsPerEntity, int clients) {

    private static final int PORTS_PER_HUB = 100;

    static String name(int entity) {
        return "r" + entity;
    }

    static int hub(int entity) {
        return entity / PORTS_PER_HUB;
    }

    /** After an odd number of toggles from up, the link is down. */
    boolean linkUpAtEnd() {
        return (eventsPerEntity - 1) % 2 == 0;
    }

    Script script(int client) {
        return new Script() {
            private int entity = client;
            private int toggles = -1; // the netdev_add comes first

            @Override
            public byte[] next(boolean timeUp) {
                if (toggles == eventsPerEntity - 1) {
                    entity += clients;
                    toggles = -1;
                }
                if (entity >= entities) {
                    return null;
                }
                if (toggles < 0) {
                    toggles = 0;
                    return Commands.netdevAdd(name(entity), hub(entity));
                }
                toggles++;
                return Commands.setLink(name(entity), toggles % 2 == 0); // the first toggle takes the link down
            }
        };
    }

    /**
     * What is wrong with a {@code __io.vnetd_query-net-clients} listing, measured against the plan:
     * every hubport there, on its hub, with its link as the last toggle left it; {@code null} if
     * nothing is.
     */
    String mismatch(JsonNode listing) {
        Map<String, JsonNode> byName = new HashMap<>();
        listing.forEach(client -> byName.put(client.path("name").asText(), client));
        for (int entity = 0; entity < entities; entity++) {
            JsonNode client = byName.get(name(entity));
            if (client == null) {
                return name(entity) + " is missing";
            }
            if (!client.path("link-up").isBoolean() || client.get("link-up").asBoolean() != linkUpAtEnd()
                    || client.path("hub").asInt(-1) != hub(entity)
                    || !client.path("type").asText().equals("hubport")) {
                return "unexpected state of " + name(entity) + ": " + client;
            }
        }
        return byName.size() == entities ? null : byName.size() + " net clients listed, " + entities + " expected";
    }
}
