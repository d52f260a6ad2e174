package io.vnetd.dataplane;

import io.vnetd.model.netclient.NetClientCounters;
import io.vnetd.model.netclient.NetClientRef;
import io.vnetd.model.netdev.NetdevConfig;
import java.util.Optional;

/** A data plane without threads: the test steps the switching agent itself. */
public final class Harness implements AutoCloseable {

    final DataPlane dataPlane;

    Harness() {
        this(small());
    }

    Harness(DataPlane.Context ctx) {
        this.dataPlane = DataPlane.create(ctx);
    }

    /** Rings and limits small enough for many data planes per test run. */
    static DataPlane.Context small() {
        return smallRings()
                .maxPorts(64)
                .controlQueueCapacity(64);
    }

    /** Rings small enough for a unit test, every limit at its default; an agent's error fails the test. */
    public static DataPlane.Context smallRings() {
        return new DataPlane.Context()
                .inboundRingCapacity(64 * 1024)
                .outboundRingCapacity(16 * 1024)
                .maxFrameLength(1514)
                .errorHandler(t -> {
                    throw new AssertionError("data plane error", t);
                });
    }

    /**
     * Runs duty cycles until two in a row find nothing to do (a read that reaches the end of the
     * ring's buffer finds the frames at its start only on the next cycle).
     */
    void step() {
        int idle = 0;
        while (idle < 2) {
            idle = dataPlane.switchingAgent().doWork() > 0 ? 0 : idle + 1;
        }
    }

    TestEndpoint endpoint(String name) {
        return new TestEndpoint(dataPlane.attachEndpoint(name));
    }

    void hubport(String name, int hubId) {
        dataPlane.open(new NetdevConfig.Hubport(name, hubId, Optional.empty()));
    }

    /** Port {@code port} peered with a new hubport {@code hubport} of hub {@code hubId}. */
    void onHub(String port, String hubport, int hubId) {
        hubport(hubport, hubId);
        dataPlane.connect(NetClientRef.netdev(port), NetClientRef.netdev(hubport));
    }

    /** Ports {@code a} and {@code b} joined by hub 0, through hubports {@code ha} and {@code hb}. */
    void acrossHub(String a, String b) {
        onHub(a, "h" + a, 0);
        onHub(b, "h" + b, 0);
    }

    /** Ports {@code a} and {@code b} joined by hubs 1, 2 and 3 in a row: a - hub 1 - hub 2 - hub 3 - b. */
    void acrossThreeHubs(String a, String b) {
        onHub(a, "in1", 1);
        for (int hub = 1; hub <= 3; hub++) {
            hubport("out" + hub, hub);
            if (hub < 3) {
                onHub("out" + hub, "in" + (hub + 1), hub + 1);
            }
        }
        dataPlane.connect(NetClientRef.netdev("out3"), NetClientRef.netdev(b));
    }

    NetClientCounters counters(String name) {
        return dataPlane.counters(name).orElseThrow(() -> new AssertionError("no counters for " + name));
    }

    @Override
    public void close() {
        dataPlane.close();
    }
}
