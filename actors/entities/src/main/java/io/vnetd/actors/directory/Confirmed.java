package io.vnetd.actors.directory;

import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.actors.nic.NicState;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;

/** An entity's confirmed state, as the directory indexes it. */
sealed interface Confirmed extends JsonSerializable {

    NetClientRef client();

    /** The node the entity answered from. */
    String node();

    /** Whether the client exists (an absent one was never created or was deleted). */
    boolean present();

    record OfNetdev(NetdevCommand.Done done) implements Confirmed {
        @Override
        public NetClientRef client() {
            return NetClientRef.netdev(done.name());
        }

        @Override
        public boolean present() {
            return done.state() instanceof NetdevState.Present;
        }

        @Override
        public String node() {
            return done.node();
        }
    }

    record OfNic(NicCommand.Done done) implements Confirmed {
        @Override
        public NetClientRef client() {
            return NetClientRef.nic(done.name());
        }

        @Override
        public boolean present() {
            return done.state() instanceof NicState.Present;
        }

        @Override
        public String node() {
            return done.node();
        }
    }
}
