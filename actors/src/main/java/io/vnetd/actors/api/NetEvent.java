package io.vnetd.actors.api;

import io.vnetd.actors.serialization.JsonSerializable;

/**
 * Something that happened in the network that QMP clients are told about (an asynchronous QMP event).
 * Each record is named after and shaped like its QAPI event's data.
 */
public sealed interface NetEvent extends JsonSerializable {

    /** The QAPI event name, e.g. {@code NETDEV_STREAM_DISCONNECTED}. */
    String eventName();

    /** {@code NETDEV_STREAM_DISCONNECTED}: a stream netdev lost its connection. */
    record NetdevStreamDisconnected(String netdevId) implements NetEvent {
        @Override
        public String eventName() {
            return "NETDEV_STREAM_DISCONNECTED";
        }
    }
}
