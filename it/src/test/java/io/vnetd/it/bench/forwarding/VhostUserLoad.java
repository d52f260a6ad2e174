package io.vnetd.it.bench.forwarding;

import io.vnetd.dataplane.backend.vhostuser.Protocol;
import io.vnetd.dataplane.backend.vhostuser.VhostUserFrontend;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Frames into one vhost-user port and out of another, the two guests' virtio drivers played by
 * {@link VhostUserFrontend}s on one thread: the input guest keeps its transmit ring full (frames
 * written into its buffers once, bursts of 64, a kick per burst), the output guest reposts each
 * receive buffer it gets back. Both poll their rings, as DPDK's virtio driver does, so the daemon
 * writes no call eventfd. The window is the transmit ring: at most its size of frames not yet taken.
 */
final class VhostUserLoad implements Load {

    static final int RING = 1024;
    private static final int BURST = 64;
    private static final int TX = 1;
    private static final int RX = 0;
    private static final long DRAIN_NS = TimeUnit.SECONDS.toNanos(2);
    private static final long QUIET_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final VhostUserFrontend in;
    private final VhostUserFrontend out;
    private final int frameLength;

    VhostUserLoad(Path input, Path output, int frameLength) {
        this.frameLength = frameLength;
        this.in = VhostUserFrontend.connect(input.toString(), 1, RING);
        this.out = VhostUserFrontend.connect(output.toString(), 1, RING);
        in.setUp(Protocol.FEATURES);
        out.setUp(Protocol.FEATURES);
        in.suppressCalls(TX);
        out.suppressCalls(RX);
        out.fillReceive(RX);
        byte[] frame = new byte[frameLength];
        Frames.write(new UnsafeBuffer(frame), 0, frameLength);
        in.prepareTransmit(TX, frame);
    }

    @Override
    public Result run(Duration duration) {
        int usedLength = VhostUserFrontend.NET_HEADER + frameLength;
        long wrongBefore = out.wrongLengths();
        long sent = 0;
        long received = 0;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        long now = start;
        while (now < end) {
            int burst = in.transmitBurst(TX, frameLength, BURST);
            if (burst > 0) {
                sent += burst;
                in.kick(TX);
            }
            received += out.drainReceive(RX, usedLength);
            now = System.nanoTime();
        }
        long receivedInTime = received;
        double seconds = (now - start) / 1e9;
        // What is still on its way comes out or is lost; bounded.
        long lastProgress = System.nanoTime();
        while (System.nanoTime() - now < DRAIN_NS && System.nanoTime() - lastProgress < QUIET_NS) {
            int more = out.drainReceive(RX, usedLength);
            if (more > 0 || in.inFlight(TX) > 0) {
                lastProgress = System.nanoTime();
            }
            received += more;
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100));
        }
        return new Result(receivedInTime, seconds, Math.max(0, sent - received), out.wrongLengths() - wrongBefore);
    }

    @Override
    public void close() {
        try {
            in.close();
        } finally {
            out.close();
        }
    }
}
