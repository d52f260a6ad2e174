package io.vnetd.model.netclient;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.vnetd.model.JsonSerializable;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * A net client's frame counters read at one moment: a value for each {@link NetClientCounter}, as the
 * data plane counts it (see there for what each one counts). Immutable. Its JSON form is QMP's: each
 * value under its counter's {@link NetClientCounter#qmpName}.
 */
public final class NetClientCounters implements JsonSerializable {

    private static final NetClientCounter[] COUNTERS = NetClientCounter.values();
    private static final Map<String, NetClientCounter> BY_QMP_NAME = Arrays.stream(COUNTERS)
            .collect(Collectors.toUnmodifiableMap(NetClientCounter::qmpName, counter -> counter));

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

    /**
     * The JSON form: a view of the values, in definition order, not a copy; a listing of 100,000 clients
     * would otherwise fill 100,000 maps to read each once.
     */
    @JsonValue
    private Map<String, Long> byQmpName() {
        return new AbstractMap<>() {
            @Override
            public Long get(Object qmpName) {
                NetClientCounter counter = BY_QMP_NAME.get(qmpName);
                return counter == null ? null : values[counter.ordinal()];
            }

            @Override
            public boolean containsKey(Object qmpName) {
                return BY_QMP_NAME.containsKey(qmpName);
            }

            @Override
            public int size() {
                return COUNTERS.length;
            }

            @Override
            public Set<Entry<String, Long>> entrySet() {
                return new AbstractSet<>() {
                    @Override
                    public Iterator<Entry<String, Long>> iterator() {
                        return Arrays.stream(COUNTERS).map(c -> Map.entry(c.qmpName(), values[c.ordinal()])).iterator();
                    }

                    @Override
                    public int size() {
                        return COUNTERS.length;
                    }
                };
            }
        };
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
