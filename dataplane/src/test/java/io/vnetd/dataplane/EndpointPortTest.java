package io.vnetd.dataplane;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientCounter.DROPPED_RING_FULL;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vnetd.dataplane.port.EndpointPort;
import java.util.ArrayList;
import java.util.List;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.ControlledMessageHandler.Action;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How a backend takes delivered frames: lent in place and released, or polled until it says stop. */
class EndpointPortTest {

    /** A 16 KiB outbound ring: 1000-byte frames (1008 bytes on it) wrap it about every 16 frames. */
    private final Harness h = new Harness(Harness.small());

    @Test
    void lentFramesStayOnTheRingUntilReleasedAcrossTheRingsWrap() {
        EndpointPort a = h.dataPlane.attachEndpoint("a");
        EndpointPort b = h.dataPlane.attachEndpoint("b");
        h.dataPlane.connect(netdev("a"), netdev("b"));
        h.step();
        List<byte[]> sent = new ArrayList<>();
        List<byte[]> taken = new ArrayList<>();

        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 7; i++) {
                byte[] f = frame(MAC_B, MAC_A, round * 7 + i, 1000);
                sent.add(f);
                assertTrue(a.offer(new UnsafeBuffer(f), 0, f.length));
            }
            h.step();
            List<byte[]> lent = new ArrayList<>();
            assertEquals(7, b.peek((buffer, offset, length) -> lent.add(copy(buffer, offset, length)), 64));
            List<byte[]> again = new ArrayList<>();
            assertEquals(7, b.peek((buffer, offset, length) -> again.add(copy(buffer, offset, length)), 3 + 4));
            assertEquals(lent.size(), again.size(), "lending again lends the same frames");
            b.release(3);
            taken.addAll(lent.subList(0, 3));
            lent.clear();
            assertEquals(4, b.peek((buffer, offset, length) -> lent.add(copy(buffer, offset, length)), 64));
            b.release(4);
            taken.addAll(lent);
            assertFalse(b.hasFrames());
        }

        assertEquals(sent.size(), taken.size());
        for (int i = 0; i < sent.size(); i++) {
            assertArrayEquals(sent.get(i), taken.get(i), "frame " + i);
        }
        assertEquals(0, h.counters("b").get(DROPPED_RING_FULL), "released space is the switch's again");
    }

    @Test
    void aControlledPollStopsAtTheFirstFrameLeft() {
        EndpointPort a = h.dataPlane.attachEndpoint("a");
        EndpointPort b = h.dataPlane.attachEndpoint("b");
        h.dataPlane.connect(netdev("a"), netdev("b"));
        h.step();
        for (int i = 0; i < 5; i++) {
            byte[] f = frame(MAC_B, MAC_A, i);
            a.offer(new UnsafeBuffer(f), 0, f.length);
        }
        h.step();

        int[] seen = new int[1];
        assertEquals(2, b.controlledPoll((buffer, offset, length) -> ++seen[0] <= 2 ? Action.CONTINUE : Action.ABORT, 10));
        List<Integer> rest = new ArrayList<>();
        b.poll((buffer, offset, length) -> rest.add(Frames.sequence(copy(buffer, offset, length))), 10);
        assertEquals(List.of(2, 3, 4), rest);
    }

    private static byte[] copy(DirectBuffer buffer, int offset, int length) {
        byte[] frame = new byte[length];
        buffer.getBytes(offset, frame);
        return frame;
    }

    @AfterEach
    void close() {
        h.close();
    }
}
