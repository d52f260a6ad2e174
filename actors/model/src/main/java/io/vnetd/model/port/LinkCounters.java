package io.vnetd.model.port;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.vnetd.model.JsonSerializable;

/**
 * Whether the data-plane link to one peer node is connected, and what it counted for that node since it
 * was first named ({@link HubLink#peer} or {@link HubLink#span}): a snapshot, read while traffic flows.
 * Its JSON form is QMP's {@code __io.vnetd_LinkCounters}.
 *
 * @param connected            whether the peer's link receives from this node now (Aeron reports the
 *                             publication to it connected)
 * @param framesSent           frames its publication accepted
 * @param bytesSent            their bytes (frames only, without the 4-byte hub id)
 * @param framesReceived       frames it sent that were handed to a local hub
 * @param bytesReceived        their bytes
 * @param droppedBackPressured frames not sent: the peer's receiver or the network is behind ({@code BACK_PRESSURED})
 * @param droppedNotConnected  frames not sent: no peer listens at its address, or it has none yet
 *                             ({@code NOT_CONNECTED}, or no address known, or the publication not made yet)
 * @param droppedAdminAction   frames not sent: the publication was busy with its own administration
 *                             twice in a row ({@code ADMIN_ACTION})
 * @param droppedOther         frames not sent for any other refusal ({@code MAX_POSITION_EXCEEDED},
 *                             {@code CLOSED})
 * @param droppedUnknownHub    frames it sent for a hub that has no uplink on this node
 * @param droppedRingFull      frames it sent that the data plane's inbound ring had no room for
 * @param droppedMalformed     messages it sent that hold no frame after the hub id, or a frame longer
 *                             than this node's {@code maxFrameLength}
 */
public record LinkCounters(
        boolean connected,
        @JsonProperty("frames-sent") long framesSent,
        @JsonProperty("bytes-sent") long bytesSent,
        @JsonProperty("frames-received") long framesReceived,
        @JsonProperty("bytes-received") long bytesReceived,
        @JsonProperty("dropped-back-pressured") long droppedBackPressured,
        @JsonProperty("dropped-not-connected") long droppedNotConnected,
        @JsonProperty("dropped-admin-action") long droppedAdminAction,
        @JsonProperty("dropped-other") long droppedOther,
        @JsonProperty("dropped-unknown-hub") long droppedUnknownHub,
        @JsonProperty("dropped-ring-full") long droppedRingFull,
        @JsonProperty("dropped-malformed") long droppedMalformed) implements JsonSerializable {

    /** Frames from or for this peer dropped for any reason. */
    @JsonIgnore
    public long dropped() {
        return droppedBackPressured + droppedNotConnected + droppedAdminAction + droppedOther
                + droppedUnknownHub + droppedRingFull + droppedMalformed;
    }
}
