package io.vnetd.ops.node;

import com.typesafe.config.Config;
import io.vnetd.dataplane.DataPlane;
import io.vnetd.dataplane.ThreadingMode;
import io.vnetd.model.service.NetEventPublisher;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

/**
 * The {@code vnetd.dataplane} block of the configuration (documented, with its defaults, in the
 * data plane's {@code reference.conf}), as the data plane's context. A bad value stops the start with
 * one line that names its key: the context's own validation speaks of its setters, whose names are
 * translated here.
 */
final class DataPlaneSettings {

    static final String PATH = "vnetd.dataplane";

    /** Every key of the block, in the order read. */
    static final List<Setting<DataPlane.Context>> SETTINGS = List.of(
            new Setting<>("inbound-ring-capacity", "inboundRingCapacity",
                    (ctx, c, k) -> ctx.inboundRingCapacity(intBytes(c, k))),
            new Setting<>("outbound-ring-capacity", "outboundRingCapacity",
                    (ctx, c, k) -> ctx.outboundRingCapacity(intBytes(c, k))),
            new Setting<>("max-frame-length", "maxFrameLength", (ctx, c, k) -> ctx.maxFrameLength(c.getInt(k))),
            new Setting<>("batch-limit", "batchLimit", (ctx, c, k) -> ctx.batchLimit(c.getInt(k))),
            new Setting<>("idle-strategy", "idleStrategySupplier",
                    (ctx, c, k) -> ctx.idleStrategySupplier(idleStrategy(c.getString(k)))),
            new Setting<>("agent-cpus", "agentCpus",
                    (ctx, c, k) -> ctx.agentCpus(c.getIntList(k).stream().mapToInt(Integer::intValue).toArray())),
            new Setting<>("control-queue-capacity", "controlQueueCapacity",
                    (ctx, c, k) -> ctx.controlQueueCapacity(c.getInt(k))),
            new Setting<>("control-offer-timeout", "controlOfferTimeoutNs",
                    (ctx, c, k) -> ctx.controlOfferTimeoutNs(c.getDuration(k, TimeUnit.NANOSECONDS))),
            new Setting<>("max-ports", "maxPorts", (ctx, c, k) -> ctx.maxPorts(c.getInt(k))),
            new Setting<>("max-hub-hops", "maxHubHops", (ctx, c, k) -> ctx.maxHubHops(c.getInt(k))),
            new Setting<>("threading-mode", "threadingMode",
                    (ctx, c, k) -> ctx.threadingMode(threadingMode(c.getString(k)))),
            new Setting<>("io-agent-count", "ioAgentCount", (ctx, c, k) -> ctx.ioAgentCount(c.getInt(k))),
            new Setting<>("io-batch-length", "ioBatchLength", (ctx, c, k) -> ctx.ioBatchLength(c.getInt(k))),
            new Setting<>("io-buffer-length", "ioBufferLength", (ctx, c, k) -> ctx.ioBufferLength(intBytes(c, k))),
            new Setting<>("datagram-receive-buffer-length", "datagramReceiveBufferLength",
                    (ctx, c, k) -> ctx.datagramReceiveBufferLength(intBytes(c, k))),
            new Setting<>("stream-coalesce-time", "streamCoalesceNs",
                    (ctx, c, k) -> ctx.streamCoalesceNs(c.getDuration(k, TimeUnit.NANOSECONDS))));

    private static final Pattern SETTING_NAME = Pattern.compile("\\b[a-z]+(?:[A-Z][a-z]*)+\\b");

    private DataPlaneSettings() {
    }

    /**
     * The data plane {@code config} describes, built but not started.
     *
     * @throws StartupException naming the key of a missing, mistyped or invalid value
     */
    static DataPlane create(Config config, NetEventPublisher events) {
        DataPlane.Context ctx = context(config).eventPublisher(events);
        try {
            return DataPlane.create(ctx);
        } catch (IllegalArgumentException e) {
            throw new StartupException(keyed(e.getMessage()));
        }
    }

    /** The context {@code config} describes, not validated yet. */
    static DataPlane.Context context(Config config) {
        return Setting.readAll(SETTINGS, config, PATH, new DataPlane.Context());
    }

    /** {@code message} with the context's setting names (and threading modes) as the configuration spells them. */
    private static String keyed(String message) {
        Matcher names = SETTING_NAME.matcher(message);
        StringBuilder out = new StringBuilder();
        while (names.find()) {
            String name = names.group();
            String key = SETTINGS.stream().filter(s -> s.setting().equals(name)).map(s -> PATH + "." + s.key())
                    .findFirst().orElse(name);
            names.appendReplacement(out, Matcher.quoteReplacement(key));
        }
        String keyed = names.appendTail(out).toString();
        for (ThreadingMode mode : ThreadingMode.values()) {
            keyed = keyed.replaceAll("\\b" + mode.name() + "\\b", mode.name().toLowerCase(Locale.ROOT));
        }
        return keyed;
    }

    /** A size in bytes ({@code 256 KiB}) that must fit an int. */
    private static int intBytes(Config config, String key) {
        long bytes = config.getBytes(key);
        if (bytes > Integer.MAX_VALUE) {
            throw new StartupException(key + " must be at most " + Integer.MAX_VALUE + " bytes, got " + bytes);
        }
        return (int) bytes;
    }

    static Supplier<IdleStrategy> idleStrategy(String name) {
        return switch (name) {
            case "backoff" -> DataPlane.Context::defaultIdleStrategy;
            case "busy-spin" -> BusySpinIdleStrategy::new;
            case "yielding" -> YieldingIdleStrategy::new;
            case "sleeping" -> () -> new SleepingMillisIdleStrategy(1);
            default -> throw new StartupException(PATH + ".idle-strategy must be backoff, busy-spin, yielding"
                    + " or sleeping, not '" + name + "'");
        };
    }

    private static ThreadingMode threadingMode(String name) {
        return switch (name) {
            case "shared" -> ThreadingMode.SHARED;
            case "dedicated" -> ThreadingMode.DEDICATED;
            default -> throw new StartupException(PATH + ".threading-mode must be shared or dedicated, not '" + name + "'");
        };
    }
}
