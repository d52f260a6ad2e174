package io.vnetd.actors.directory;

import io.vnetd.model.netclient.NetClientRef;

/** What a request holds from its start until its entity work is over ({@link RequestLocks}). */
sealed interface Lock {

    /** The device namespace: held by every {@code device_add} and {@code device_del}. */
    Lock DEVICES = new Devices();

    static Lock of(NetClientRef client) {
        return new Client(client);
    }

    /** One net client: its entity's state, and what the index says of it. */
    record Client(NetClientRef client) implements Lock {
    }

    /**
     * Device ids, QOM paths, automatic names and MACs: {@code device_add} chooses from them and
     * {@code device_del} frees them, so those run one at a time.
     */
    record Devices() implements Lock {
    }
}
