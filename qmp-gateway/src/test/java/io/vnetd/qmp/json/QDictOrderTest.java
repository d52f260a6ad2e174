package io.vnetd.qmp.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class QDictOrderTest {

    private static List<String> order(String... insertion) {
        ObjectNode object = JsonNodeFactory.instance.objectNode();
        for (String key : insertion) {
            object.put(key, 0);
        }
        return QDictOrder.keys(object);
    }

    @Test
    void qmpMessagesComeOutInQemusOrder() {
        assertEquals(List.of("return", "id"), order("return", "id"));
        assertEquals(List.of("id", "error"), order("error", "id"));
        assertEquals(List.of("class", "desc"), order("class", "desc"));
        assertEquals(List.of("timestamp", "event", "data"), order("event", "timestamp", "data"));
        assertEquals(List.of("seconds", "microseconds"), order("seconds", "microseconds"));
        assertEquals(List.of("micro", "minor", "major"), order("major", "minor", "micro"));
        assertEquals(List.of("version", "capabilities"), order("version", "capabilities"));
        assertEquals(List.of("exec-oob", "execute", "arguments", "id"), order("execute", "exec-oob", "id", "arguments"));
    }

    @Test
    void newestFirstWithinABucket() {
        // "a" and "b" land in different buckets; find two keys that share one
        String first = "k0";
        String second = null;
        for (int i = 1; second == null; i++) {
            if (QDictOrder.bucket("k" + i) == QDictOrder.bucket(first)) {
                second = "k" + i;
            }
        }
        assertEquals(List.of(second, first), order(first, second));
        assertEquals(List.of(first, second), order(second, first));
    }
}
