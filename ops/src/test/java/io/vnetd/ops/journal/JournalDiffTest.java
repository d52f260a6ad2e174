package io.vnetd.ops.journal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class JournalDiffTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String diff(String a, String b) throws Exception {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            JournalDiff.diff(JSON, "", JSON.readTree(a), JSON.readTree(b), out);
        }
        return text.toString();
    }

    @Test
    void eachChangedLeafIsOneLineWithItsPointer() throws Exception {
        assertEquals("", diff("{\"a\":1,\"b\":[1,2]}", "{\"b\":[1,2],\"a\":1}"));
        assertEquals("{\"path\":\"/config/hubid\",\"from\":0,\"to\":7}\n{\"path\":\"/linkUp\",\"from\":true,\"to\":false}\n",
                diff("{\"linkUp\":true,\"config\":{\"hubid\":0}}", "{\"linkUp\":false,\"config\":{\"hubid\":7}}"));
        assertEquals("{\"path\":\"/peer\",\"from\":\"n0\"}\n{\"path\":\"/s~1x\",\"to\":1}\n",
                diff("{\"peer\":\"n0\"}", "{\"s/x\":1}"));
        assertEquals("{\"path\":\"/list\",\"from\":[1],\"to\":[1,2]}\n{\"path\":\"/m/1\",\"from\":2,\"to\":3}\n",
                diff("{\"list\":[1],\"m\":[1,2]}", "{\"list\":[1,2],\"m\":[1,3]}"));
        assertEquals("{\"path\":\"/\",\"from\":{\"state\":\"Absent\"},\"to\":1}\n".replace("\n", System.lineSeparator()),
                diff("{\"state\":\"Absent\"}", "1"));
    }
}
