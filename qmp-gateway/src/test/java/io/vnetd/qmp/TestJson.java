package io.vnetd.qmp;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.qmp.json.JsonLimits;
import io.vnetd.qmp.json.JsonMessageParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** JSON texts read by vnetd's own parser, so numbers get the types QMP input gets. */
public final class TestJson {

    private TestJson() {
    }

    public static JsonNode parse(String text) {
        List<JsonNode> values = new ArrayList<>();
        JsonMessageParser parser = new JsonMessageParser(JsonLimits.QEMU, new JsonMessageParser.Listener() {
            @Override
            public void onValue(JsonNode value) {
                values.add(value);
            }

            @Override
            public void onError(String description) {
                throw new IllegalArgumentException(description);
            }
        });
        for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
            parser.feed(b);
        }
        if (values.size() != 1) {
            throw new IllegalArgumentException("not one JSON text: " + text);
        }
        return values.getFirst();
    }
}
