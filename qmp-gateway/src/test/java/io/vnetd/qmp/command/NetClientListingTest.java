package io.vnetd.qmp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.qmp.json.JsonOutput;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.schema.HostConditions;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.OutputShaper;
import io.vnetd.qmp.visit.OutputWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@code __io.vnetd_query-net-clients} is written straight into its answer ({@link OutputWriter}); its
 * bytes are those of the way through Jackson's tree and the shaper, which the conformance tests pin
 * against QEMU's member order.
 */
class NetClientListingTest {

    private static final Schema SCHEMA = Schema.load(HostConditions.detect());
    private static final String LISTING = "__io.vnetd_NetClientInfoList";
    private static final List<String> TYPES = List.of("hubport", "dgram", "nic", "stream", "socket", "user");

    private final OutputWriter writer = new OutputWriter(SCHEMA, JsonBinding::result);

    @Test
    void aLargeListingIsWrittenByteForByteAsThroughTheTree() {
        List<NetCommands.NetClientEntry> clients = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            String type = TYPES.get(i % TYPES.size());
            long base = i * 1_000_003L + (i % 11 == 0 ? Long.MAX_VALUE / 2 : 0);
            Optional<NetClientCounters> counters = i % 7 == 0 ? Optional.empty()
                    : Optional.of(NetClientCounters.of(counter -> base + counter.ordinal()));
            // Names and descriptions that need escaping: a quote, a multi-queue description, a non-ASCII name.
            String name = switch (i % 50) {
                case 3 -> "q\"uote" + i;
                case 4 -> "caf\u00e9-" + i;
                default -> "h" + i;
            };
            String info = i % 13 == 0 ? "fd=3\nfd=4" : "udp=127.0.0.1:" + i;
            clients.add(NetCommands.NetClientEntry.of(new NetClientInfo(name, type, i % 3 != 0,
                    i % 5 == 0 ? Optional.of("peer" + i) : Optional.empty(),
                    type.equals("hubport") ? OptionalInt.of(i % 100 - 1) : OptionalInt.empty(),
                    info, i % 17 == 0 ? "host resource unavailable" : "ok", i % 2 == 0 ? "local" : "n2", counters)));
        }

        JsonOutput direct = new JsonOutput();
        writer.write(LISTING, clients, direct);

        String throughTree = QmpJsonWriter.toJson(new OutputShaper(SCHEMA).shape(LISTING, JsonBinding.result(clients)));
        assertEquals(throughTree, text(direct));
        assertTrue(direct.chunks().size() > 10, "a long answer is held in chunks, not one array");
    }

    @Test
    void anEmptyListingIsAnEmptyArray() {
        JsonOutput out = new JsonOutput();
        writer.write(LISTING, List.of(), out);
        assertEquals("[]", text(out));
    }

    @Test
    void aClientOfNoKnownTypeFailsAsThroughTheTree() {
        NetClientInfo unknown = new NetClientInfo("x0", "bogus", true, Optional.empty(), OptionalInt.empty(), "", "ok",
                "local");
        List<NetCommands.NetClientEntry> clients = List.of(NetCommands.NetClientEntry.of(unknown));

        assertThrows(IllegalStateException.class,
                () -> new OutputShaper(SCHEMA).shape(LISTING, JsonBinding.result(clients)));
        IllegalStateException direct = assertThrows(IllegalStateException.class,
                () -> writer.write(LISTING, clients, new JsonOutput()));
        assertEquals("not a NetClientDriver: bogus", direct.getMessage());
    }

    private static String text(JsonOutput out) {
        StringBuilder text = new StringBuilder();
        for (ByteBuffer chunk : out.chunks()) {
            text.append(StandardCharsets.US_ASCII.decode(chunk));
        }
        return text.toString();
    }
}
