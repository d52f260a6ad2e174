package io.vnetd.dataplane.guest;

import io.vnetd.dataplane.backend.Backend;
import io.vnetd.dataplane.backend.BackendEnv;
import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.dataplane.backend.io.Sockets;
import io.vnetd.dataplane.backend.io.Tun;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.GuestSide;
import io.vnetd.model.nic.MacAddress;
import io.vnetd.model.nic.NicConfig;
import io.vnetd.model.nic.RxFilter;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.function.Supplier;

/**
 * Makes a NIC's tap guest side ({@link TapGuest}): in the guest's network namespace, attaches to tap
 * interface {@code ifname} (creating it, or finding the one an earlier run of vnetd left), opens the
 * route netlink sockets that watch it and the timer that re-reads it. A new interface gets the NIC's
 * MAC (the journaled one: a restart after the namespace was emptied gives the guest the address it
 * had), then is made persistent; one found persistent was the guest's already and is left as it is.
 * Any failure leaves nothing behind.
 */
public final class TapGuests {

    private TapGuests() {
    }

    /** What was opened in the guest's namespace. */
    record Opened(int tapFd, int monitorFd, int queryFd, int timerFd, int interfaceIndex, boolean found) {
    }

    /**
     * @param portName the NIC's port name
     * @param filter   the NIC's filter as journaled: its main MAC is a new interface's address
     * @throws NetException when the namespace or the interface cannot be had, worded as QEMU's tap errors
     */
    public static Backend open(NicConfig config, RxFilter filter, String portName, BackendEnv env,
                               Supplier<GuestObserver> observer) {
        GuestSide side = config.guest().orElseThrow(() -> new IllegalArgumentException(config.name() + " has no guest"));
        try {
            Opened opened = NetworkNamespace.inside(side.netns(), () -> openInside(side, filter.mainMac()));
            try {
                return new TapGuest(env, portName, config.name(), side, opened, observer);
            } catch (RuntimeException e) {
                closeOpened(opened);
                throw e;
            }
        } catch (ErrnoException e) {
            throw NetException.generic(e.getMessage());
        }
    }

    private static Opened openInside(GuestSide side, MacAddress mac) {
        Tun.Queue queue = Tun.open(side.ifname(), false);
        try (OwnedFd tap = new OwnedFd(queue.fd());
             OwnedFd monitor = new OwnedFd(RouteSocket.subscribed(RouteSocket.RTNLGRP_LINK, RouteSocket.RTNLGRP_NEIGH,
                     RouteSocket.RTNLGRP_IPV4_IFADDR, RouteSocket.RTNLGRP_IPV6_IFADDR,
                     RouteSocket.RTNLGRP_IPV4_MCADDR, RouteSocket.RTNLGRP_IPV6_MCADDR));
             OwnedFd query = new OwnedFd(RouteSocket.unsubscribed());
             OwnedFd timer = new OwnedFd(IntervalTimer.every(TapGuest.REREAD_INTERVAL_NS))) {
            boolean found = Tun.isPersistent(tap.fd());
            int index = indexOf(query.fd(), queue.ifname());
            if (!found) {
                byte[] address = new byte[MacAddress.LENGTH];
                mac.writeTo(address, 0);
                Tun.setHardwareAddress(tap.fd(), address);
                Tun.setPersistent(tap.fd(), true);
            }
            return new Opened(tap.release(), monitor.release(), query.release(), timer.release(), index, found);
        }
    }

    /** The index of interface {@code ifname}, from a link dump. */
    private static int indexOf(int queryFd, String ifname) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(64 * 1024);
            List<RouteMessages.Message> links = RouteSocket.dump(queryFd,
                    RouteMessages.dumpRequest(RouteMessages.RTM_GETLINK, 1), buffer);
            return links.stream()
                    .filter(m -> m instanceof RouteMessages.Link l && l.name().equals(ifname))
                    .mapToInt(m -> ((RouteMessages.Link) m).index())
                    .findFirst()
                    .orElseThrow(() -> new ErrnoException("tap interface " + ifname + " not found after creation",
                            Libc.ENOENT));
        }
    }

    private static void closeOpened(Opened opened) {
        if (!opened.found()) {
            try {
                Tun.setPersistent(opened.tapFd(), false);
            } catch (ErrnoException e) {
                // Closing it below is all that is left to do.
            }
        }
        for (int fd : new int[] {opened.tapFd(), opened.monitorFd(), opened.queryFd(), opened.timerFd()}) {
            Sockets.close(fd);
        }
    }
}
