package io.vnetd.actors.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.ConfigFactory;
import io.vnetd.actors.announce.AnnounceCommand;
import io.vnetd.actors.announce.AnnounceEvent;
import io.vnetd.actors.announce.AnnounceState;
import io.vnetd.actors.netdev.NetdevEvent;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.persistence.EntityReply;
import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.netdev.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Announce timers' events and states, a netdev's link change and state with clients still to set, the answers entities send across the cluster (a refusal
 * included), the configuration of a netdev_add of a type without a backend and of a vhost-user port survive Pekko's
 * serialization unchanged. (Netdev and NIC entities' commands, events and states are checked on
 * every command by their EventSourcedBehaviorTestKit tests.)
 */
class StableFormsTest {

    private static final NetdevConfig HUBPORT = new NetdevConfig.Hubport("h0", 0, Optional.empty());
    private static final ActorTestKit TESTKIT = ActorTestKit.create(ConfigFactory.load());

    @AfterAll
    static void stop() {
        TESTKIT.shutdownTestKit();
    }

    static Stream<Object> forms() {
        AnnounceParameters named = new AnnounceParameters(50, 550, 5, 100, Optional.of(List.of("vnic", "enic")), Optional.of("t"));
        AnnounceParameters unnamed = new AnnounceParameters(0, 0, 1, 0, Optional.empty(), Optional.empty());
        return Stream.of(
                new AnnounceEvent.Started(named, 1_700_000_000_000L),
                new AnnounceEvent.Started(unnamed, 0),
                new AnnounceEvent.RoundSent(1_700_000_000_050L),
                new AnnounceEvent.Cancelled(),
                new AnnounceState.Idle(3),
                new AnnounceState.Running(4, named, 2, 1_700_000_000_150L),
                new AnnounceCommand.Started(new AnnounceState.Idle(1)),
                new NetdevConfig.Unsupported("u", "user"),
                new NetdevConfig.VhostUserPort("v", "/run/vm1.sock", Optional.of(false), Optional.of(3L), Optional.of(2L)),
                new NetdevConfig.VhostUserPort("v", "/run/vm1.sock", Optional.empty(), Optional.empty(), Optional.empty()),
                new NetdevConfig.Stream("s", new SocketAddress.Unix("/run/s.sock", Optional.empty(), Optional.empty()),
                        Optional.empty(), Optional.empty()),
                new EntityReply.Refused<>(NetException.generic("vnetd could not journal the change: journal full")),
                new EntityReply.Refused<>(new NetException(ErrorClass.DeviceNotFound, "Device 'h0' not found")),
                new NetdevEvent.LinkSet(false, List.of(NetClientRef.nic("vnic"))),
                new NetdevEvent.LinkSetCompleted(),
                new NetdevState.Present(HUBPORT, false, Optional.empty(), 1, 1, List.of(NetClientRef.nic("vnic"))));
    }

    /**
     * A link change that names no other client, and a netdev with none pending, are written as before
     * those members existed: journals and directory snapshots from then read the same.
     */
    @Test
    void whatNamesNoPendingClientKeepsItsEarlierForm() {
        assertEquals("{\"up\":false}", written(new NetdevEvent.LinkSet(false)));
        String state = written(new NetdevState.Present(HUBPORT, false, Optional.empty(), 1, 1));
        assertEquals(false, state.contains("linkPending"), state);
    }

    private static String written(Object form) {
        Serialization serialization = SerializationExtension.get(TESTKIT.system());
        byte[] bytes = serialization.serialize(form).get();
        Serializer serializer = serialization.findSerializerFor(form);
        assertEquals(form, serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, form)).get());
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @MethodSource("forms")
    void roundTripsUnchanged(Object form) {
        assertEquals(form, TESTKIT.serializationTestKit().verifySerialization(form, true));
    }
}
