package io.vnetd.dataplane.guest;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.vnetd.dataplane.backend.io.ErrnoException;
import io.vnetd.dataplane.backend.io.Libc;
import io.vnetd.dataplane.backend.io.Native;
import io.vnetd.dataplane.backend.io.OwnedFd;
import io.vnetd.model.nic.GuestSide;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Runs set-up inside a network namespace that {@code ip netns} named: on a thread of its own, which
 * enters the namespace ({@code setns(2)}) and ends with its work, so no other thread of vnetd ever
 * changes namespace. Descriptors made there (a tap, a netlink socket) stay in that namespace when used
 * from any thread.
 */
final class NetworkNamespace {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final MethodHandle OPEN = Native.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2), Native.CAPTURE_ERRNO);
    private static final MethodHandle SETNS = Native.downcall("setns",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), Native.CAPTURE_ERRNO);

    private NetworkNamespace() {
    }

    /**
     * {@code work}'s result, done inside namespace {@code name} (empty: vnetd's own, on this thread).
     *
     * @throws ErrnoException if the namespace cannot be opened or entered; whatever {@code work} throws
     */
    static <T> T inside(Optional<String> name, Supplier<T> work) {
        if (name.isEmpty()) {
            return work.get();
        }
        String path = GuestSide.NETNS_DIR + "/" + name.get();
        try (Arena arena = Arena.ofConfined(); OwnedFd ns = new OwnedFd(open(arena, path))) {
            AtomicReference<T> result = new AtomicReference<>();
            AtomicReference<RuntimeException> failure = new AtomicReference<>();
            Thread thread = Thread.ofPlatform().name("vnetd-netns-" + name.get()).unstarted(() -> {
                try (Arena local = Arena.ofConfined()) {
                    MemorySegment errno = Libc.newErrnoCell(local);
                    if (setns(errno, ns.fd(), CLONE_NEWNET) < 0) {
                        throw new ErrnoException("could not enter network namespace '" + name.get() + "'",
                                Libc.errno(errno));
                    }
                    result.set(work.get());
                } catch (RuntimeException e) {
                    failure.set(e);
                }
            });
            thread.start();
            thread.join();
            if (failure.get() != null) {
                throw failure.get();
            }
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while setting up in network namespace " + name.get(), e);
        }
    }

    private static int open(Arena arena, String path) {
        MemorySegment errno = Libc.newErrnoCell(arena);
        int fd;
        try {
            fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path), O_RDONLY | O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw Native.unexpected("open", t);
        }
        if (fd < 0) {
            throw new ErrnoException("could not open network namespace " + path, Libc.errno(errno));
        }
        return fd;
    }

    private static int setns(MemorySegment errno, int fd, int type) {
        try {
            return (int) SETNS.invokeExact(errno, fd, type);
        } catch (Throwable t) {
            throw Native.unexpected("setns", t);
        }
    }
}
