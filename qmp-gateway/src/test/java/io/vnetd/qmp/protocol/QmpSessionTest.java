package io.vnetd.qmp.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.model.service.NetEvent;
import io.vnetd.qmp.FakeNetwork;
import io.vnetd.qmp.command.StandardCommands;
import io.vnetd.qmp.command.VersionInfo;
import io.vnetd.qmp.json.JsonLimits;
import io.vnetd.qmp.schema.Schema;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The protocol without a socket: the transport is a list, the session's thread is the test's. */
class QmpSessionTest {

    private static final Schema SCHEMA = Schema.load(Set.of("CONFIG_POSIX", "CONFIG_LINUX", "HAVE_IPPROTO_MPTCP"));
    private static final VersionInfo VERSION = new VersionInfo(new VersionInfo.VersionTriple(9, 1, 0), "vnetd test");

    private final FakeNetwork network = new FakeNetwork();
    private final List<String> sent = new ArrayList<>();
    private int resumed;
    private final QmpSession session = new QmpSession(
            new Dispatcher(StandardCommands.table(SCHEMA, VERSION, network)),
            Runnable::run,
            new QmpSession.Transport() {
                @Override
                public void send(List<ByteBuffer> message) {
                    StringBuilder text = new StringBuilder();
                    message.forEach(chunk -> text.append(StandardCharsets.US_ASCII.decode(chunk)));
                    sent.add(text.toString());
                }

                @Override
                public void resumeInput() {
                    resumed++;
                }

                @Override
                public boolean congested() {
                    return false;
                }

                @Override
                public void idle() {
                    // Closing after the last answer is the connection's business, tested with the server.
                }
            },
            "greeting\r\n".getBytes(StandardCharsets.US_ASCII), JsonLimits.QEMU, 3);

    private List<String> input(String text) {
        sent.clear();
        session.input(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
        return taken();
    }

    private List<String> taken() {
        List<String> out = List.copyOf(sent);
        sent.clear();
        return out;
    }

    @Test
    void greetingThenNegotiation() {
        session.start();
        assertEquals(List.of("greeting\r\n"), taken());
        assertEquals(List.of("{\"id\": 1, \"error\": {\"class\": \"CommandNotFound\", "
                + "\"desc\": \"Expecting capabilities negotiation with 'qmp_capabilities'\"}}\r\n"),
                input("{\"execute\": \"query-version\", \"id\": 1}"));
        assertEquals(List.of("{\"return\": {}}\r\n"), input("{\"execute\": \"qmp_capabilities\"}"));
        assertEquals(List.of("{\"return\": {\"qemu\": {\"micro\": 0, \"minor\": 1, \"major\": 9}, \"package\": \"vnetd test\"}}\r\n"),
                input("{\"execute\": \"query-version\"}"));
    }

    @Test
    void requestsAreAnsweredInOrderAndOneAtATime() {
        input("{'execute': 'qmp_capabilities'}");
        network.hold();
        List<String> early = input("{'execute': 'netdev_add', 'arguments': {'id': 'h0', 'type': 'hubport', 'hubid': 0}, 'id': 'a'}"
                + "garbage {'execute': 'query-version', 'id': 'b'}");
        assertEquals(List.of(), early, "nothing overtakes the command in progress");
        assertEquals(1, network.heldCount(), "the next command has not started");
        assertTrue(session.inputSuspended(), "three requests pending, as many as allowed");

        List<String> late = input("{'execute': 'query-version', 'id': 'c'}");
        assertEquals(List.of(), late, "input is suspended");

        network.release();
        List<String> answers = taken();
        assertEquals(3, answers.size());
        assertEquals("{\"return\": {}, \"id\": \"a\"}\r\n", answers.get(0));
        assertEquals("{\"error\": {\"class\": \"GenericError\", \"desc\": \"JSON parse error, invalid keyword 'garbage'\"}}\r\n", answers.get(1));
        assertTrue(answers.get(2).endsWith("\"id\": \"b\"}\r\n"));
        assertEquals(1, resumed, "the transport is told to pass the rest of the input");
    }

    @Test
    void outOfBandRequestsDoNotWaitTheirTurn() {
        input("{'execute': 'qmp_capabilities', 'arguments': {'enable': ['oob']}}");
        network.hold();
        List<String> answers = input("{'execute': 'netdev_del', 'arguments': {'id': 'x'}, 'id': 1}"
                + "{'exec-oob': 'query-version', 'id': 2}");
        assertEquals(List.of("{\"id\": 2, \"error\": {\"class\": \"GenericError\", "
                + "\"desc\": \"The command query-version does not support OOB\"}}\r\n"), answers);
        network.release();
        assertEquals(List.of("{\"id\": 1, \"error\": {\"class\": \"DeviceNotFound\", \"desc\": \"Device 'x' not found\"}}\r\n"), taken());
    }

    @Test
    void eventsReachNegotiatedSessionsOnly() {
        EventEncoder encoder = new EventEncoder(SCHEMA);
        byte[] event = encoder.encode(new NetEvent.NetdevStreamDisconnected("s0"), Instant.ofEpochSecond(1663330937, 526695000)).orElseThrow();
        assertEquals("{\"timestamp\": {\"seconds\": 1663330937, \"microseconds\": 526695}, \"event\": \"NETDEV_STREAM_DISCONNECTED\", "
                + "\"data\": {\"netdev-id\": \"s0\"}}\r\n", new String(event, StandardCharsets.US_ASCII));
        session.event(event);
        assertEquals(List.of(), taken());
        input("{'execute': 'qmp_capabilities'}");
        session.event(event);
        assertEquals(1, taken().size());
    }

    @Test
    void closedSessionsSendNothing() {
        input("{'execute': 'qmp_capabilities'}");
        network.hold();
        input("{'execute': 'netdev_del', 'arguments': {'id': 'x'}}");
        session.close();
        network.release();
        assertEquals(List.of(), taken());
        assertFalse(session.inputSuspended());
    }
}
