package io.vnetd.qmp.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.model.netclient.NetClientCounter;
import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientInfo;
import io.vnetd.qmp.schema.HostConditions;
import io.vnetd.qmp.schema.Member;
import io.vnetd.qmp.schema.ObjectType;
import io.vnetd.qmp.schema.Schema;
import io.vnetd.qmp.visit.OutputShaper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/**
 * {@code __io.vnetd_query-net-clients}' counters are {@link NetClientCounter}'s: the schema documents
 * the same members, in the same order, with the same meanings, and a client's values go out under them.
 */
class CountersListingTest {

    private static final Schema SCHEMA = Schema.load(HostConditions.detect());

    @Test
    void theSchemaDocumentsEveryCounterAsDefined() {
        ObjectType type = (ObjectType) SCHEMA.type("__io.vnetd_NetClientCounters");
        List<String> definedMembers = new ArrayList<>();
        Map<String, String> definedMeanings = new LinkedHashMap<>();
        for (NetClientCounter counter : NetClientCounter.values()) {
            definedMembers.add(counter.qmpName() + ": uint64");
            definedMeanings.put(counter.qmpName(), counter.meaning());
        }
        assertEquals(definedMembers, type.members().stream()
                .map(m -> m.name() + ": " + m.type() + (m.optional() ? " (optional)" : "")).toList());
        Map<String, String> documented = new LinkedHashMap<>();
        type.members().stream().map(Member::name).forEach(name -> documented.put(name, type.doc().members().get(name)));
        assertEquals(definedMeanings, documented);
    }

    @Test
    void aClientsCountersGoOutUnderTheirQmpNames() {
        NetClientCounters counters = NetClientCounters.of(counter -> counter.ordinal() + 1);
        NetClientInfo client = new NetClientInfo("d0", "dgram", true, Optional.empty(), OptionalInt.empty(), "", "ok",
                "local", Optional.of(counters));

        JsonNode listed = new OutputShaper(SCHEMA).shape("__io.vnetd_NetClientInfo",
                JsonBinding.result(NetCommands.NetClientEntry.of(client))).get("counters");

        Map<String, Long> expected = new LinkedHashMap<>();
        Arrays.stream(NetClientCounter.values()).forEach(c -> expected.put(c.qmpName(), counters.get(c)));
        Map<String, Long> wire = new LinkedHashMap<>();
        listed.properties().forEach(member -> wire.put(member.getKey(), member.getValue().longValue()));
        assertEquals(expected, wire);
    }
}
