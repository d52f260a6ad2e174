package io.vnetd.dataplane.guest;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@code NETLINK_ROUTE} socket through {@code java.lang.foreign}, in the network namespace of the
 * thread that opened it: either subscribed to the groups whose notifications tell a guest side to
 * read its interface again, or unsubscribed, for the dumps that read it. Non-blocking; the kernel
 * answers a dump while the request is sent and as it is read, so reading it never waits.
 */
final class RouteSocket {

    private static final int AF_NETLINK = 16;
    private static final int SOCK_RAW = 3;
    private static final int NETLINK_ROUTE = 0;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_ADD_MEMBERSHIP = 1;
    /** {@code sizeof(struct sockaddr_nl)}. */
    private static final int SOCKADDR_NL_LENGTH = 12;

    static final int RTNLGRP_LINK = 1;
    static final int RTNLGRP_NEIGH = 3;
    static final int RTNLGRP_IPV4_IFADDR = 5;
    static final int RTNLGRP_IPV6_IFADDR = 9;
    /** Groups of kernels from 6.13 on (IPv4 and IPv6 multicast group joins); older ones refuse them. */
    static final int RTNLGRP_IPV4_MCADDR = 37;
    static final int RTNLGRP_IPV6_MCADDR = 38;

    /** Datagrams a dump may take before it counts as endless: a namespace's links fit in far fewer. */
    private static final int MAX_DUMP_READS = 4096;

    private RouteSocket() {
    }

    /**
     * A socket that receives the notifications of {@code groups}; those the kernel does not know are
     * left out (the re-reads at an interval cover them).
     */
    static int subscribed(int... groups) {
        int fd = Sockets.socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, "could not open a route netlink socket");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment address = arena.allocate(SOCKADDR_NL_LENGTH, 4);
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_NETLINK);
            if (Libc.bind(errno, fd, address, SOCKADDR_NL_LENGTH) < 0) {
                int e = Libc.errno(errno);
                Sockets.close(fd);
                throw new ErrnoException("could not bind a route netlink socket", e);
            }
            for (int group : groups) {
                Libc.setsockopt(errno, fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
                        arena.allocateFrom(ValueLayout.JAVA_INT, group), 4);
            }
            return fd;
        }
    }

    /** A socket for dumps: bound, subscribed to nothing. */
    static int unsubscribed() {
        return subscribed();
    }

    /**
     * Sends dump request {@code request} and reads the answer into {@code buffer} until its end.
     *
     * @throws ErrnoException if the request cannot be sent, the kernel refuses it, or the answer does not end
     */
    static List<RouteMessages.Message> dump(int fd, byte[] request, MemorySegment buffer) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment message = arena.allocateFrom(ValueLayout.JAVA_BYTE, request);
            if (Libc.send(errno, fd, message, request.length, Libc.MSG_NOSIGNAL) < 0) {
                throw new ErrnoException("could not send a route netlink request", Libc.errno(errno));
            }
        }
        List<RouteMessages.Message> answer = new ArrayList<>();
        for (int reads = 0; reads < MAX_DUMP_READS; reads++) {
            long n = Libc.recv(fd, buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT);
            if (n <= 0) {
                throw new ErrnoException("route netlink dump ended early", Libc.EAGAIN);
            }
            for (RouteMessages.Message m : RouteMessages.parse(buffer.asSlice(0, n).asByteBuffer())) {
                switch (m) {
                    case RouteMessages.Done d -> {
                        return answer;
                    }
                    case RouteMessages.Error(int e) when e != 0 -> throw new ErrnoException("route netlink dump", e);
                    default -> answer.add(m);
                }
            }
        }
        throw new ErrnoException("route netlink dump did not end", Libc.EAGAIN);
    }

    /**
     * Reads every notification waiting on {@code fd}.
     *
     * @return how many datagrams were read
     */
    static int drain(int fd, MemorySegment buffer) {
        int datagrams = 0;
        while (datagrams < MAX_DUMP_READS && Libc.recv(fd, buffer.address(), buffer.byteSize(), Libc.MSG_DONTWAIT) > 0) {
            datagrams++;
        }
        return datagrams;
    }
}
