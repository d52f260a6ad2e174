package io.vnetd.actors.directory;

import io.vnetd.actors.directory.EntityCatalog.Folded;
import io.vnetd.actors.netdev.NetdevState;
import io.vnetd.actors.nic.NicState;
import java.util.Map;

/**
 * What a single node's directory knows of every netdev and NIC entity at a point of the journal: each entity's state
 * with the sequence number of the last event folded into it, absent ones included (their events need no reading
 * again either).
 */
record DirectorySnapshot(Map<String, Folded<NetdevState>> netdevs, Map<String, Folded<NicState>> nics) {

    static final DirectorySnapshot EMPTY = new DirectorySnapshot(Map.of(), Map.of());
}
