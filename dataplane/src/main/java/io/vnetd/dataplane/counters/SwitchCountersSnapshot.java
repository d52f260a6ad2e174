package io.vnetd.dataplane.counters;

/** The switching agent's own counters read at one moment (see {@link SwitchCounter}). */
public record SwitchCountersSnapshot(long staleFrames, long routesCompiled, long errors) {
}
