package io.vnetd.dataplane.counters;

import io.vnetd.model.netclient.NetClientCounters;

/**
 * One backend's I/O counters read at one moment.
 *
 * @param counters    its net client's counters as the backend counts them (those only ports count are 0)
 * @param connections connections accepted or established
 */
public record BackendCountersSnapshot(String name, NetClientCounters counters, long connections) {
}
