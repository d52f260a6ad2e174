package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.List;

/**
 * Runs a program the way QEMU's {@code launch_script} and {@code net_bridge_run_helper} fork and
 * exec one: with the daemon's environment, standard input, output and error, no other descriptor
 * but (optionally) one passed on purpose, and the raw {@code waitpid} status as the outcome (QEMU
 * prints that status, {@code 256} for an exit status of 1). {@code posix_spawn(3)} through
 * {@code java.lang.foreign}, because {@link ProcessBuilder} can neither pass a descriptor nor tell a
 * signal from an exit status. Set-up threads only; {@link #waitFor} blocks until the program ends, as
 * QEMU does.
 *
 * <p>A program that cannot be executed (missing, not executable) ends here as QEMU's forked child
 * ends then: {@code _exit(1)}, status {@value #EXEC_FAILED_STATUS}, with no process to wait for.
 */
public final class Spawn {

    /** The wait status of QEMU's child when {@code execv} fails: {@code _exit(1)}. */
    public static final int EXEC_FAILED_STATUS = 1 << 8;

    /** The descriptor number a passed descriptor has in the program. */
    public static final int PASSED_FD = 3;

    /** {@code posix_spawn_file_actions_t} is 80 bytes in glibc; room to spare. */
    private static final int FILE_ACTIONS_LENGTH = 128;

    private static final MethodHandle POSIX_SPAWN = Native.downcall("posix_spawn",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
    private static final MethodHandle ACTIONS_INIT = Native.downcall("posix_spawn_file_actions_init",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_DESTROY = Native.downcall("posix_spawn_file_actions_destroy",
            FunctionDescriptor.of(JAVA_INT, ADDRESS));
    private static final MethodHandle ACTIONS_ADDDUP2 = Native.downcall("posix_spawn_file_actions_adddup2",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACTIONS_ADDCLOSEFROM = Native.downcall("posix_spawn_file_actions_addclosefrom_np",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle WAITPID = Native.downcall("waitpid",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), Native.CAPTURE_ERRNO);
    private static final MemorySegment ENVIRON = Native.symbol("environ").reinterpret(ADDRESS.byteSize());

    private Spawn() {
    }

    /**
     * Starts {@code program} with arguments {@code argv} ({@code argv[0]} included).
     *
     * @param passedFd a descriptor the program gets as {@value #PASSED_FD}, or -1 for none
     * @return the process id, or 0 if the program could not be executed
     */
    public static int start(String program, List<String> argv, int passedFd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment actions = arena.allocate(FILE_ACTIONS_LENGTH, 8);
            MemorySegment args = arena.allocate(MemoryLayout.sequenceLayout(argv.size() + 1L, ADDRESS));
            for (int i = 0; i < argv.size(); i++) {
                args.setAtIndex(ADDRESS, i, arena.allocateFrom(argv.get(i)));
            }
            args.setAtIndex(ADDRESS, argv.size(), MemorySegment.NULL);
            MemorySegment pid = arena.allocate(JAVA_INT);
            int rc = (int) ACTIONS_INIT.invokeExact(actions);
            if (rc != 0) {
                throw new ErrnoException("posix_spawn_file_actions_init", rc);
            }
            try {
                int firstClosed = PASSED_FD;
                if (passedFd >= 0) {
                    // A dup2 copy is not close-on-exec; if passedFd is PASSED_FD already, dup2 onto
                    // the same number clears the flag instead (glibc 2.29 and later).
                    requireZero((int) ACTIONS_ADDDUP2.invokeExact(actions, passedFd, PASSED_FD), "adddup2");
                    firstClosed = PASSED_FD + 1;
                }
                requireZero((int) ACTIONS_ADDCLOSEFROM.invokeExact(actions, firstClosed), "addclosefrom_np");
                MemorySegment environment = ENVIRON.get(ADDRESS, 0);
                rc = (int) POSIX_SPAWN.invokeExact(pid, arena.allocateFrom(program), actions, MemorySegment.NULL,
                        args, environment);
            } finally {
                int ignored = (int) ACTIONS_DESTROY.invokeExact(actions);
            }
            return rc == 0 ? pid.get(JAVA_INT, 0) : 0;
        } catch (Throwable t) {
            throw Native.unexpected("posix_spawn", t);
        }
    }

    /** Waits for process {@code pid} to end; its raw wait status ({@link #EXEC_FAILED_STATUS} for {@code pid} 0). */
    public static int waitFor(int pid) {
        if (pid == 0) {
            return EXEC_FAILED_STATUS;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment status = arena.allocate(JAVA_INT);
            int rc;
            do {
                rc = (int) WAITPID.invokeExact(errno, pid, status, 0);
            } while (rc < 0 && Libc.errno(errno) == Libc.EINTR);
            if (rc < 0) {
                throw new ErrnoException("waitpid", Libc.errno(errno));
            }
            return status.get(JAVA_INT, 0);
        } catch (Throwable t) {
            throw Native.unexpected("waitpid", t);
        }
    }

    /** Runs {@code program} to its end: its raw wait status. */
    public static int run(String program, List<String> argv) {
        return waitFor(start(program, argv, -1));
    }

    private static void requireZero(int rc, String what) {
        if (rc != 0) {
            throw new ErrnoException("posix_spawn_file_actions_" + what, rc);
        }
    }
}
