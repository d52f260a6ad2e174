package io.vnetd.actors.directory;

import io.vnetd.actors.netdev.NetdevCommand;
import io.vnetd.actors.nic.NicCommand;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netclient.NetClientRef;

/** An entity's confirmed state, as the directory indexes it. */
sealed interface Confirmed extends JsonSerializable {

    NetClientRef client();

    record OfNetdev(NetdevCommand.Done done) implements Confirmed {
        @Override
        public NetClientRef client() {
            return NetClientRef.netdev(done.name());
        }
    }

    record OfNic(NicCommand.Done done) implements Confirmed {
        @Override
        public NetClientRef client() {
            return NetClientRef.nic(done.name());
        }
    }
}
