package io.vnetd.dataplane.backend.vhostuser;

import static io.vnetd.dataplane.Frames.MAC_A;
import static io.vnetd.dataplane.Frames.MAC_B;
import static io.vnetd.dataplane.Frames.frame;
import static io.vnetd.model.netclient.NetClientRef.netdev;
import static org.junit.jupiter.api.Assertions.fail;

import io.vnetd.dataplane.AllocationProbe;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.model.netdev.NetdevConfig;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * vhost-user ports allocate nothing once warm: one front-end transmits 64- and 1500-byte frames
 * (one descriptor each, kicked), they cross a hub into another port whose front-end keeps its receive
 * ring full; the agents' threads allocate no byte meanwhile.
 */
class VhostUserSteadyStateAllocationTest {

    private static final int WARM_UP_FRAMES = 100_000;
    private static final int MEASURED_FRAMES = 20_000;
    private static final int RING = 256;

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(ThreadingMode.class)
    void framesBetweenTwoGuestsAllocateNothing(ThreadingMode mode) throws Exception {
        String pathA = dir.resolve("a.sock").toString();
        String pathB = dir.resolve("b.sock").toString();
        try (DataPlane dp = DataPlane.launch(new DataPlane.Context().threadingMode(mode).maxPorts(64)
                .controlQueueCapacity(64).errorHandler(Throwable::printStackTrace))) {
            for (String id : new String[] {"a", "b"}) {
                dp.open(new NetdevConfig.VhostUserPort(id, dir.resolve(id + ".sock").toString(), Optional.empty(),
                        Optional.empty(), Optional.empty()));
                dp.open(new NetdevConfig.Hubport("h" + id, 0, Optional.empty()));
                dp.connect(netdev(id), netdev("h" + id));
                dp.activate(netdev(id));
            }
            try (VhostUserFrontend a = VhostUserFrontend.connect(pathA, 1, RING);
                 VhostUserFrontend b = VhostUserFrontend.connect(pathB, 1, RING)) {
                a.setUp(Protocol.FEATURES);
                b.setUp(Protocol.FEATURES);
                b.fillReceive(0);
                Traffic traffic = new Traffic(a, b);
                traffic.run(WARM_UP_FRAMES);
                AllocationProbe.agentThreads(mode).assertAWindowAllocatesNothing(() -> traffic.run(MEASURED_FRAMES));
            }
        }
    }

    /** Frames from a to b, at most a ring's worth in flight, until b has received the count asked for. */
    private static final class Traffic {
        private final VhostUserFrontend a;
        private final VhostUserFrontend b;
        private final byte[] small = frame(MAC_B, MAC_A, 1, 64);
        private final byte[] large = frame(MAC_B, MAC_A, 2, 1500);

        Traffic(VhostUserFrontend a, VhostUserFrontend b) {
            this.a = a;
            this.b = b;
        }

        void run(int frames) {
            int sent = 0;
            int received = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (received < frames) {
                boolean any = false;
                while (sent < frames && sent - received < RING / 2) {
                    byte[] f = (sent & 1) == 0 ? small : large;
                    if (!a.transmit(1, f, f.length)) {
                        break;
                    }
                    sent++;
                    any = true;
                }
                if (any) {
                    a.kick(1);
                }
                received += b.drainReceive(0);
                if (System.nanoTime() - deadline > 0) {
                    fail("only " + received + " of " + frames + " frames arrived within 60 s");
                }
                Thread.onSpinWait();
            }
        }
    }
}
