package io.vnetd.dataplane;

import io.vnetd.dataplane.port.EndpointPort;
import java.util.ArrayList;
import java.util.List;
import org.agrona.concurrent.UnsafeBuffer;

/** Plays a backend: offers frames into the switch and collects what it delivers. */
final class TestEndpoint {

    final EndpointPort port;

    TestEndpoint(EndpointPort port) {
        this.port = port;
    }

    boolean send(byte[] frame) {
        return port.offer(new UnsafeBuffer(frame), 0, frame.length);
    }

    /** Everything delivered since the last call. */
    List<byte[]> received() {
        List<byte[]> frames = new ArrayList<>();
        port.poll((buffer, offset, length) -> {
            byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            frames.add(frame);
        }, Integer.MAX_VALUE);
        return frames;
    }
}
