package io.vnetd.dataplane.backend.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code getaddrinfo(3)}: the resolver QEMU's {@code inet_listen_saddr} and {@code inet_connect_saddr}
 * use, with its flags and families, so that host names, service names and {@code numeric} behave as
 * they do there. It may block on DNS: call it where blocking is allowed, never on an agent.
 */
public final class AddrInfo {

    /** One result: what to pass to {@code socket(2)} and the address to bind or connect. */
    public record Entry(int family, int socktype, int protocol, SockAddr address) {
    }

    /** The resolver refused: {@code code} is an {@code EAI_*} value, the message {@code gai_strerror}'s. */
    public static final class LookupException extends Exception {
        private static final long serialVersionUID = 1L;

        LookupException(String message) {
            super(message, null, false, false);
        }
    }

    private AddrInfo() {
    }

    /**
     * Resolves {@code node} (null for a wildcard) and {@code service} (null for port 0).
     *
     * @throws LookupException with {@code gai_strerror}'s text when nothing resolves
     */
    public static List<Entry> lookup(String node, String service, int family, int socktype, int flags)
            throws LookupException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment hints = arena.allocate(Libc.ADDRINFO_SIZE, 8);
            hints.set(ValueLayout.JAVA_INT, Libc.ADDRINFO_FLAGS, flags);
            hints.set(ValueLayout.JAVA_INT, Libc.ADDRINFO_FAMILY, family);
            hints.set(ValueLayout.JAVA_INT, Libc.ADDRINFO_SOCKTYPE, socktype);
            MemorySegment result = arena.allocate(ValueLayout.ADDRESS);
            int rc = Libc.getaddrinfo(errno, node == null ? MemorySegment.NULL : arena.allocateFrom(node),
                    service == null ? MemorySegment.NULL : arena.allocateFrom(service), hints, result);
            if (rc != 0) {
                throw new LookupException(rc == Libc.EAI_SYSTEM ? Libc.strerror(Libc.errno(errno)) : Libc.gaiStrerror(rc));
            }
            MemorySegment list = result.get(ValueLayout.ADDRESS, 0);
            try {
                List<Entry> entries = new ArrayList<>();
                for (MemorySegment e = list.reinterpret(Libc.ADDRINFO_SIZE); !e.equals(MemorySegment.NULL);
                     e = e.get(ValueLayout.ADDRESS, Libc.ADDRINFO_NEXT).reinterpret(Libc.ADDRINFO_SIZE)) {
                    int length = e.get(ValueLayout.JAVA_INT, Libc.ADDRINFO_ADDRLEN);
                    MemorySegment address = e.get(ValueLayout.ADDRESS, Libc.ADDRINFO_ADDR).reinterpret(length);
                    entries.add(new Entry(e.get(ValueLayout.JAVA_INT, Libc.ADDRINFO_FAMILY),
                            e.get(ValueLayout.JAVA_INT, Libc.ADDRINFO_SOCKTYPE),
                            e.get(ValueLayout.JAVA_INT, Libc.ADDRINFO_PROTOCOL), SockAddr.copyOf(address, length)));
                }
                return entries;
            } finally {
                Libc.freeaddrinfo(list);
            }
        }
    }
}
