package io.vnetd.ops.topology;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One entry of {@code __io.vnetd_query-net-clients}: the parts of a net client the picture shows.
 *
 * @param peer null when it has none
 * @param hub  the hub of a hubport, null for every other client
 */
public record NetClient(String name, String type, boolean linkUp, String peer, Integer hub, String status, String node) {

    public static NetClient of(JsonNode info) {
        return new NetClient(info.path("name").asText(), info.path("type").asText(), info.path("link-up").asBoolean(true),
                info.hasNonNull("peer") ? info.get("peer").asText() : null,
                info.hasNonNull("hub") ? info.get("hub").asInt() : null,
                info.path("status").asText("ok"), info.path("node").asText("local"));
    }

    public boolean isHubport() {
        return hub != null;
    }

    /** What is wrong with it, if anything: its link is down, its host resource is unavailable. */
    public String trouble() {
        String down = linkUp ? "" : "link down";
        if (status.equals("ok")) {
            return down;
        }
        return down.isEmpty() ? status : down + ", " + status;
    }
}
