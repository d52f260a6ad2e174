package io.vnetd.ops.node;

import com.typesafe.config.Config;
import io.vnetd.actors.api.NetEventPublisher;
import io.vnetd.dataplane.DataPlane;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/** The {@code vnetd.dataplane} block of the configuration, as the data plane's context. */
final class DataPlaneSettings {

    private DataPlaneSettings() {
    }

    static DataPlane.Context context(Config dataplane, NetEventPublisher events) {
        return new DataPlane.Context()
                .inboundRingCapacity(dataplane.getBytes("inbound-ring-capacity").intValue())
                .outboundRingCapacity(dataplane.getBytes("outbound-ring-capacity").intValue())
                .maxFrameLength(dataplane.getInt("max-frame-length"))
                .batchLimit(dataplane.getInt("batch-limit"))
                .idleStrategySupplier(idleStrategy(dataplane.getString("idle-strategy")))
                .agentCpus(dataplane.getIntList("agent-cpus").stream().mapToInt(Integer::intValue).toArray())
                .controlQueueCapacity(dataplane.getInt("control-queue-capacity"))
                .controlOfferTimeoutNs(dataplane.getDuration("control-offer-timeout", TimeUnit.NANOSECONDS))
                .maxPorts(dataplane.getInt("max-ports"))
                .maxHubHops(dataplane.getInt("max-hub-hops"))
                .eventPublisher(events);
    }

    static Supplier<IdleStrategy> idleStrategy(String name) {
        return switch (name) {
            case "backoff" -> DataPlane.Context::defaultIdleStrategy;
            case "busy-spin" -> BusySpinIdleStrategy::new;
            case "yielding" -> YieldingIdleStrategy::new;
            case "sleeping" -> () -> new SleepingMillisIdleStrategy(1);
            default -> throw new StartupException("vnetd.dataplane.idle-strategy must be backoff, busy-spin, yielding"
                    + " or sleeping, not '" + name + "'");
        };
    }
}
