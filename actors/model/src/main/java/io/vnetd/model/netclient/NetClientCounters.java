package io.vnetd.model.netclient;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.vnetd.model.JsonSerializable;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * A net client's frame counters read at one moment: a value for each {@link NetClientCounter}, as the
 * data plane counts it (see there for what each one counts). Immutable. Its JSON form is QMP's: each
 * value under its counter's {@link NetClientCounter#qmpName}.
 */
public final class NetClientCounters implements JsonSerializable {

    private static final NetClientCounter[] COUNTERS = NetClientCounter.values();

    /** Nothing counted. */
    public static final NetClientCounters ZERO = new NetClientCounters(new long[COUNTERS.length]);

    /** By {@link NetClientCounter#ordinal}. */
    private final long[] values;

    private NetClientCounters(long[] values) {
        this.values = values;
    }

    /** Each counter's value as {@code value} gives it. */
    public static NetClientCounters of(ToLongFunction<NetClientCounter> value) {
        long[] values = new long[COUNTERS.length];
        for (NetClientCounter counter : COUNTERS) {
            values[counter.ordinal()] = value.applyAsLong(counter);
        }
        return new NetClientCounters(values);
    }

    /** The values given; a counter not given is 0. */
    public static NetClientCounters of(Map<NetClientCounter, Long> values) {
        return of(counter -> values.getOrDefault(counter, 0L));
    }

    /** @throws IllegalArgumentException if a name is no counter's */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    private static NetClientCounters ofQmpNames(Map<String, Long> values) {
        Map<NetClientCounter, Long> byCounter = new EnumMap<>(NetClientCounter.class);
        values.forEach((name, value) -> byCounter.put(NetClientCounter.ofQmpName(name), value));
        return of(byCounter);
    }

    public long get(NetClientCounter counter) {
        return values[counter.ordinal()];
    }

    /** Each counter the sum of its values here and in {@code other}: a client's, from what each side counted. */
    public NetClientCounters plus(NetClientCounters other) {
        return of(counter -> get(counter) + other.get(counter));
    }

    @JsonValue
    private Map<String, Long> byQmpName() {
        Map<String, Long> named = new LinkedHashMap<>();
        for (NetClientCounter counter : COUNTERS) {
            named.put(counter.qmpName(), values[counter.ordinal()]);
        }
        return named;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NetClientCounters other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "NetClientCounters" + byQmpName();
    }
}
