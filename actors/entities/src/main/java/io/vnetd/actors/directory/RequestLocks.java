package io.vnetd.actors.directory;

import io.vnetd.actors.directory.DirectoryCommand.AddNetdev;
import io.vnetd.actors.directory.DirectoryCommand.AddNic;
import io.vnetd.actors.directory.DirectoryCommand.DelNetdev;
import io.vnetd.actors.directory.DirectoryCommand.DelNic;
import io.vnetd.actors.directory.DirectoryCommand.Guest;
import io.vnetd.actors.directory.DirectoryCommand.QueryRxFilter;
import io.vnetd.actors.directory.DirectoryCommand.Request;
import io.vnetd.actors.directory.DirectoryCommand.SetLink;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netclient.NetClientRef;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which requests may run now. A request holds its {@link Lock}s from its start until its entity work
 * is over, so requests on different clients run concurrently (the journal's group commit makes that
 * pay) and requests that share a lock run in arrival order: one that finds a lock held is parked,
 * and the parked are tried again, oldest first, whenever a request finishes.
 */
final class RequestLocks {

    private final Set<Lock> held = new HashSet<>();
    private final ArrayDeque<Request> parked = new ArrayDeque<>();

    /**
     * The locks a request needs: the clients it changes or reads (a peer it changes included), and
     * for {@code device_add} and {@code device_del} the device namespace.
     *
     * @throws NetException when the request names no client it could read (QEMU's error)
     */
    static List<Lock> of(Request request, NetIndex index, Placements placements) {
        List<Lock> locks = new ArrayList<>(3);
        switch (request) {
            case AddNetdev add -> {
                add(locks, NetClientRef.netdev(add.config().id()));
                add.config().configuredPeer().ifPresent(peer -> add(locks, NetClientRef.netdev(peer)));
            }
            case DelNetdev del -> {
                NetClientRef netdev = NetClientRef.netdev(del.id());
                add(locks, netdev);
                index.peerOf(netdev).ifPresent(peer -> add(locks, peer));
            }
            case SetLink link -> {
                List<NetClientRef> targets = RequestPlanner.linkTargets(link.name(), index);
                targets.forEach(client -> add(locks, client));
                addUnfinished(locks, targets, index);
            }
            case AddNic add -> {
                locks.add(Lock.DEVICES);
                add.request().netdev().ifPresent(netdev -> add(locks, NetClientRef.netdev(netdev)));
            }
            case DelNic del -> {
                locks.add(Lock.DEVICES);
                index.findDevice(del.device()).ifPresent(nic -> {
                    add(locks, NetClientRef.nic(nic.config().name()));
                    nic.peer().ifPresent(netdev -> add(locks, NetClientRef.netdev(netdev)));
                    addUnfinished(locks, List.of(NetClientRef.nic(nic.config().name())), index);
                });
            }
            case QueryRxFilter query -> RequestPlanner.rxFilterTargets(query.name(), index)
                    .forEach(nic -> add(locks, NetClientRef.nic(nic)));
            case Guest guest -> add(locks, NetClientRef.nic(guest.nic()));
            case DirectoryCommand.WakeNode wake -> RequestPlanner.clientsOn(wake.node(), index, placements)
                    .forEach(client -> add(locks, client));
            case DirectoryCommand.WakeMoved wake -> placements.movedFrom(wake.node()).forEach(client -> add(locks, client));
        }
        return locks;
    }

    /** The clients of the half-done link changes a request on {@code clients} completes first. */
    private static void addUnfinished(List<Lock> locks, List<NetClientRef> clients, NetIndex index) {
        RequestPlanner.unfinishedLinkChanges(clients, index).forEach(change -> {
            add(locks, NetClientRef.netdev(change.netdev()));
            change.alongWith().forEach(client -> add(locks, client));
        });
    }

    private static void add(List<Lock> locks, NetClientRef client) {
        Lock lock = Lock.of(client);
        if (!locks.contains(lock)) {
            locks.add(lock);
        }
    }

    /** Whether none of {@code locks} is held. */
    boolean free(List<Lock> locks) {
        for (Lock lock : locks) {
            if (held.contains(lock)) {
                return false;
            }
        }
        return true;
    }

    void take(List<Lock> locks) {
        held.addAll(locks);
    }

    /** Waits until a request finishes. */
    void park(Request request) {
        parked.add(request);
    }

    /** Releases {@code locks}; returns the parked requests, oldest first, to be tried again. */
    List<Request> release(List<Lock> locks) {
        locks.forEach(held::remove);
        if (parked.isEmpty()) {
            return List.of();
        }
        List<Request> waiting = List.copyOf(parked);
        parked.clear();
        return waiting;
    }
}
