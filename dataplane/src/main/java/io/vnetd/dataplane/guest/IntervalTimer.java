package io.vnetd.dataplane.guest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Native;
import io.vnetd.dataplane.backend.io.Sockets;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * A {@code timerfd} that becomes readable every interval: how an I/O agent, which sleeps in epoll,
 * is woken for work that no event announces, without running a backend every duty cycle.
 */
final class IntervalTimer {

    private static final int CLOCK_MONOTONIC = 1;
    private static final int TFD_NONBLOCK = 0x800;
    private static final int TFD_CLOEXEC = 0x80000;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private static final MethodHandle CREATE = Native.downcall("timerfd_create",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MethodHandle SETTIME = Native.downcall("timerfd_settime",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), Native.CAPTURE_ERRNO);

    private IntervalTimer() {
    }

    /** A non-blocking timer descriptor that expires every {@code intervalNs}, first after one interval. */
    static int every(long intervalNs) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int fd = create(errno, CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
            if (fd < 0) {
                throw new ErrnoException("timerfd_create", Libc.errno(errno));
            }
            // struct itimerspec: the interval, then the first expiry, each seconds and nanoseconds.
            MemorySegment spec = arena.allocate(4 * Long.BYTES, Long.BYTES);
            for (int i = 0; i < 2; i++) {
                spec.set(ValueLayout.JAVA_LONG, 16L * i, intervalNs / NANOS_PER_SECOND);
                spec.set(ValueLayout.JAVA_LONG, 16L * i + 8, intervalNs % NANOS_PER_SECOND);
            }
            if (settime(errno, fd, spec) < 0) {
                int e = Libc.errno(errno);
                Sockets.close(fd);
                throw new ErrnoException("timerfd_settime", e);
            }
            return fd;
        }
    }

    private static int create(MemorySegment errno, int clock, int flags) {
        try {
            return (int) CREATE.invokeExact(errno, clock, flags);
        } catch (Throwable t) {
            throw Native.unexpected("timerfd_create", t);
        }
    }

    private static int settime(MemorySegment errno, int fd, MemorySegment spec) {
        try {
            return (int) SETTIME.invokeExact(errno, fd, 0, spec, MemorySegment.NULL);
        } catch (Throwable t) {
            throw Native.unexpected("timerfd_settime", t);
        }
    }
}
