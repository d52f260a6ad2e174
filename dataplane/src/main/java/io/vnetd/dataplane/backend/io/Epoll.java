package io.vnetd.dataplane.backend.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * An epoll instance and the array its events are reported in, for one thread. {@code struct
 * epoll_event} is packed on x86-64 (12 bytes) and naturally aligned elsewhere (16 bytes).
 */
public final class Epoll implements AutoCloseable {

    private static final boolean PACKED = switch (System.getProperty("os.arch")) {
        case "amd64", "x86_64" -> true;
        default -> false;
    };
    private static final int EVENT_LENGTH = PACKED ? 12 : 16;
    private static final int DATA_OFFSET = PACKED ? 4 : 8;

    private final MemorySegment errno;
    private final MemorySegment ctlEvent;
    /** Held so that the array lives as long as this: the buffer only knows its address. */
    private final MemorySegment eventsSegment;
    private final UnsafeBuffer events;
    private final int maxEvents;
    private int fd;

    /** @param errno the errno cell of the thread that will use this instance */
    public Epoll(int maxEvents, MemorySegment errno) {
        Arena arena = Arena.ofAuto();
        this.errno = errno;
        this.maxEvents = maxEvents;
        this.ctlEvent = arena.allocate(16, 8);
        this.eventsSegment = arena.allocate((long) maxEvents * EVENT_LENGTH, 8);
        this.events = new UnsafeBuffer(eventsSegment.address(), (int) eventsSegment.byteSize());
        this.fd = Libc.epollCreate1(errno, Libc.EPOLL_CLOEXEC);
        if (fd < 0) {
            throw new ErrnoException("epoll_create1", Libc.errno(errno));
        }
    }

    public void add(int target, int interest, long data) {
        ctlEvent.set(ValueLayout.JAVA_INT, 0, interest);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        if (Libc.epollCtl(errno, fd, Libc.EPOLL_CTL_ADD, target, ctlEvent) < 0) {
            throw new ErrnoException("epoll_ctl", Libc.errno(errno));
        }
    }

    /**
     * Changes what {@code target} is polled for; nothing if it is no longer polled (a closing backend
     * released it: {@link Sockets#release}).
     */
    public void modify(int target, int interest, long data) {
        ctlEvent.set(ValueLayout.JAVA_INT, 0, interest);
        ctlEvent.set(ValueLayout.JAVA_LONG_UNALIGNED, DATA_OFFSET, data);
        // Streams under back-pressure change their interest often: only a failure asks why.
        if (Libc.epollCtl(fd, Libc.EPOLL_CTL_MOD, target, ctlEvent) < 0
                && Libc.epollCtl(errno, fd, Libc.EPOLL_CTL_MOD, target, ctlEvent) < 0
                && Libc.errno(errno) != Libc.ENOENT) {
            throw new ErrnoException("epoll_ctl", Libc.errno(errno));
        }
    }

    /** Stops polling {@code target}; nothing if it is not polled (a released descriptor no longer is). */
    public void delete(int target) {
        Libc.epollCtl(errno, fd, Libc.EPOLL_CTL_DEL, target, ctlEvent);
    }

    /** Waits at most {@code timeoutMs} (0: not at all) and returns how many events are ready. */
    public int poll(int timeoutMs) {
        int n = Libc.epollWait(fd, events.addressOffset(), maxEvents, timeoutMs);
        return Math.max(n, 0);
    }

    public int events(int index) {
        return events.getInt(index * EVENT_LENGTH);
    }

    public long data(int index) {
        return events.getLong(index * EVENT_LENGTH + DATA_OFFSET);
    }

    @Override
    public void close() {
        Sockets.close(fd);
        fd = -1;
    }
}
