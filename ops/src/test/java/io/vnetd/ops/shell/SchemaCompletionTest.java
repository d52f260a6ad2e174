package io.vnetd.ops.shell;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.qmp.schema.Introspection;
import io.vnetd.qmp.schema.Schema;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Completion from the daemon's own {@code query-qmp-schema} answer, built as the server builds it. */
class SchemaCompletionTest {

    private static final SchemaCompletion COMPLETION = SchemaCompletion.of(
            Introspection.schemaInfo(Schema.load(Set.of("CONFIG_POSIX", "CONFIG_LINUX"))));

    /** The words offered for the last word of {@code line} (a line ending in a blank completes a new word). */
    private static List<String> offered(String line) {
        List<String> words = new java.util.ArrayList<>(Arrays.asList(line.strip().split("\\s+")));
        if (line.isBlank()) {
            words = new java.util.ArrayList<>(List.of(""));
        } else if (line.endsWith(" ")) {
            words.add("");
        }
        return COMPLETION.suggest(words, words.size() - 1).stream().map(Suggestion::word).toList();
    }

    @Test
    void theFirstWordCompletesToCommandNames() {
        assertEquals(List.of("netdev_add", "netdev_del"), offered("netdev_"));
        assertEquals(List.of("query-version"), offered("query-v"));
        List<String> all = offered("");
        assertTrue(all.containsAll(List.of("netdev_add", "device_add", "set_link", "human-monitor-command",
                "__io.vnetd_query-net-clients")), all.toString());
    }

    @Test
    void aCommandNameIsFinishedAndAMemberNameGoesOn() {
        List<Suggestion> command = COMPLETION.suggest(List.of("query-v"), 0);
        assertTrue(command.getFirst().complete());
        List<Suggestion> member = COMPLETION.suggest(List.of("set_link", "na"), 1);
        assertEquals(List.of(new Suggestion("name=", false, "str")), member);
    }

    @Test
    void membersOfTheArgumentTypeFollowTheCommand() {
        assertEquals(List.of("name=", "up="), offered("set_link "));
        assertEquals(List.of("id="), offered("netdev_del "));
    }

    @Test
    void aUnionOffersEveryBranchUntilItsDiscriminatorIsGiven() {
        List<String> all = offered("netdev_add ");
        assertTrue(all.containsAll(List.of("id=", "type=", "hubid=", "udp=", "ifname=", "local.", "remote.", "__io.vnetd_node=")), all.toString());
    }

    @Test
    void theChosenBranchOnlyOnceTheDiscriminatorIsGivenAndNotWhatIsGivenAlready() {
        assertEquals(List.of("id=", "__io.vnetd_node=", "hubid=", "netdev="), offered("netdev_add type=hubport "));
        assertEquals(List.of("hubid="), offered("netdev_add type=hubport id=h0 h"));
    }

    @Test
    void anEnumOrBooleanMemberCompletesToItsValues() {
        assertEquals(List.of("type=hubport"), offered("netdev_add type=hu"));
        assertTrue(offered("netdev_add type=").containsAll(List.of("type=socket", "type=stream", "type=tap")));
        assertEquals(List.of("up=true", "up=false"), offered("set_link name=h0 up="));
        assertEquals(List.of(), offered("set_link name="));
    }

    @Test
    void aDottedKeyCompletesTheMembersOfTheNestedObjectAndItsBranch() {
        List<String> any = offered("netdev_add type=stream addr.");
        assertTrue(any.containsAll(List.of("addr.type=", "addr.host=", "addr.port=", "addr.path=")), any.toString());
        List<String> unix = offered("netdev_add type=stream addr.type=unix addr.");
        assertTrue(unix.contains("addr.path="), unix.toString());
        assertFalse(unix.contains("addr.host="), unix.toString());
        assertFalse(unix.contains("addr.type="), unix.toString());
        assertEquals(List.of("addr.type=inet"), offered("netdev_add type=stream addr.type=in"));
    }

    @Test
    void nothingForAnUnknownCommandOrARawJsonLine() {
        assertEquals(List.of(), offered("no-such-command "));
        assertEquals(List.of(), offered("{\"execute\""));
    }

    @Test
    void humanMonitorCompletionReadsTheMonitorsOwnInfoList() {
        HumanMonitorCompletion completion = HumanMonitorCompletion.fromInfoHelp(
                "info network  -- show the network state\r\ninfo vnetd-counters  -- show the frame counters\r\n");
        assertEquals(List.of("info"), completion.suggest(List.of("i"), 0).stream().map(Suggestion::word).toList());
        assertEquals(List.of("network"),
                completion.suggest(List.of("info", "ne"), 1).stream().map(Suggestion::word).toList());
        assertEquals(List.of("network", "vnetd-counters"),
                completion.suggest(List.of("info", ""), 1).stream().map(Suggestion::word).toList());
        assertEquals(List.of(), completion.suggest(List.of("info", "network", ""), 2));
    }
}
