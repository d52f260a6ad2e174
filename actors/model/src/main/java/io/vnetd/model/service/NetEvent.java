package io.vnetd.model.service;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vnetd.model.JsonSerializable;
import io.vnetd.model.netdev.SocketAddress;
import java.util.Optional;

/**
 * Something that happened in the network that QMP clients are told about (an asynchronous QMP event).
 * Each record is named after its QAPI event, and its JSON form (QAPI member names, absent optionals
 * left out) is the event's {@code data}.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public sealed interface NetEvent extends JsonSerializable {

    /** The QAPI event name, e.g. {@code NETDEV_STREAM_DISCONNECTED}. */
    @JsonIgnore
    String eventName();

    /** {@code NIC_RX_FILTER_CHANGED}: a guest changed its NIC's receive filter. */
    record NicRxFilterChanged(Optional<String> name, String path) implements NetEvent {
        @Override
        public String eventName() {
            return "NIC_RX_FILTER_CHANGED";
        }
    }

    /** {@code FAILOVER_NEGOTIATED}: the guest of a {@code failover=on} NIC acknowledged the standby feature. */
    record FailoverNegotiated(@JsonProperty("device-id") String deviceId) implements NetEvent {
        @Override
        public String eventName() {
            return "FAILOVER_NEGOTIATED";
        }
    }

    /** {@code DEVICE_DELETED}: a device is gone; {@code device} is its id when it had one. */
    record DeviceDeleted(Optional<String> device, String path) implements NetEvent {
        @Override
        public String eventName() {
            return "DEVICE_DELETED";
        }
    }

    /** {@code NETDEV_STREAM_CONNECTED}: a stream netdev connected; {@code addr} is its peer's address. */
    record NetdevStreamConnected(@JsonProperty("netdev-id") String netdevId, SocketAddress addr) implements NetEvent {
        @Override
        public String eventName() {
            return "NETDEV_STREAM_CONNECTED";
        }
    }

    /** {@code NETDEV_STREAM_DISCONNECTED}: a stream netdev lost its connection. */
    record NetdevStreamDisconnected(@JsonProperty("netdev-id") String netdevId) implements NetEvent {
        @Override
        public String eventName() {
            return "NETDEV_STREAM_DISCONNECTED";
        }
    }
}
