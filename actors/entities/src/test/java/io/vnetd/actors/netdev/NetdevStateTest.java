package io.vnetd.actors.netdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
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
    void impossibleHistoriesAreRefusedLoudly() {
        NetdevState present = new NetdevState.Absent().apply(new NetdevEvent.Created(HP, 1, 1));
        assertThrows(IllegalStateException.class, () -> present.apply(new NetdevEvent.Created(HP, 2, 1)));
        assertThrows(IllegalStateException.class, () -> new NetdevState.Absent().apply(new NetdevEvent.LinkSet(true)));
    }
}
