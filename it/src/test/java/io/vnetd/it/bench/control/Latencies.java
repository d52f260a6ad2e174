package io.vnetd.it.bench.control;

import java.util.Arrays;
import java.util.List;

/** Command latencies in nanoseconds: appended by one client thread, merged once the run is over. */
final class Latencies {

    private long[] values = new long[1 << 16];
    private int size;

    void add(long nanos) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = nanos;
    }

    int size() {
        return size;
    }

    /** All clients' latencies, sorted. */
    static long[] sorted(List<Latencies> perClient) {
        long[] all = new long[perClient.stream().mapToInt(Latencies::size).sum()];
        int at = 0;
        for (Latencies l : perClient) {
            System.arraycopy(l.values, 0, all, at, l.size);
            at += l.size;
        }
        Arrays.sort(all);
        return all;
    }

    /** The nearest-rank percentile ({@code p} in 0..100) of sorted values; 0 if there are none. */
    static long percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.clamp(rank - 1, 0, sorted.length - 1)];
    }
}
