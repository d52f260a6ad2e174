package io.vnetd.actors.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NetdevStateTest {

    private static final NetdevConfig HP = new NetdevConfig.Hubport("hp0", 0, Optional.of("be0"));

    @Test
    void createdNetdevIsUpAndPeeredWithItsConfiguredNetdev() {
        NetdevState state = new NetdevState.Absent().apply(new NetdevEvent.Created(HP, 7, 3));
        assertEquals(new NetdevState.Present(HP, true, Optional.of(NetClientRef.netdev("be0")), 7, 3), state);
    }

    @Test
    void linkPeerAndDeletionFollowTheEvents() {
        NetdevState state = new NetdevState.Absent()
                .apply(new NetdevEvent.Created(HP, 1, 1))
                .apply(new NetdevEvent.LinkSet(false))
                .apply(new NetdevEvent.PeerDetached());
        assertEquals(new NetdevState.Present(HP, false, Optional.empty(), 1, 1), state);
        state = state.apply(new NetdevEvent.PeerAttached(NetClientRef.nic("x"))).apply(new NetdevEvent.Deleted());
        assertEquals(new NetdevState.Absent(), state);
    }

    @Test
    void aLinkChangeNamingOtherClientsIsPendingUntilCompleted() {
        NetClientRef nic = NetClientRef.nic("vnic");
        NetClientRef twin = NetClientRef.nic("hp0");
        NetdevState state = new NetdevState.Absent()
                .apply(new NetdevEvent.Created(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), 1, 1))
                .apply(new NetdevEvent.PeerAttached(nic))
                .apply(new NetdevEvent.LinkSet(false, List.of(nic, twin)));
        assertEquals(List.of(nic, twin), ((NetdevState.Present) state).linkPending());
        assertEquals(false, ((NetdevState.Present) state).linkUp());
        assertEquals(List.of(twin), ((NetdevState.Present) state.apply(new NetdevEvent.PeerDetached())).linkPending(),
                "a peer that is gone needs no link");
        NetdevState completed = state.apply(new NetdevEvent.LinkSetCompleted());
        assertEquals(new NetdevState.Present(new NetdevConfig.Hubport("hp0", 0, Optional.empty()), false, Optional.of(nic), 1, 1),
                completed);
    }

    @Test
    void impossibleHistoriesAreRefusedLoudly() {
        NetdevState present = new NetdevState.Absent().apply(new NetdevEvent.Created(HP, 1, 1));
        assertThrows(IllegalStateException.class, () -> present.apply(new NetdevEvent.Created(HP, 2, 1)));
        assertThrows(IllegalStateException.class, () -> new NetdevState.Absent().apply(new NetdevEvent.LinkSet(true)));
    }
}
