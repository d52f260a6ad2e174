package io.vnetd.dataplane.backend.io;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * How vnetd binds the C library with {@code java.lang.foreign}, in one place: {@link #downcall}
 * looks a function up and makes its handle, {@link #CAPTURE_ERRNO} has the handle store
 * {@code errno} in a cell (see {@link Libc#newErrnoCell}) passed as its first argument, and
 * {@link #unexpected} is what a caller does with what {@code invokeExact} threw.
 *
 * <p>Every call site follows one form:
 *
 * <pre>{@code
 * try {
 *     return (int) SOCKET.invokeExact(errno, domain, type, protocol);
 * } catch (Throwable t) {
 *     throw Native.unexpected("socket", t);
 * }
 * }</pre>
 *
 * A failure the function reports (a -1, an {@code errno}, a return code) is a value, which the
 * caller turns into an {@link ErrnoException} or whatever its own callers expect. What
 * {@code invokeExact} itself throws is a programming error (a handle of the wrong type, a segment of
 * a closed arena or of another thread), never a failure of the function: it goes on unchecked.
 */
public final class Native {

    /** Has a handle store {@code errno} as the call returns, in a cell passed before the function's arguments. */
    public static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final Linker LINKER = Linker.nativeLinker();

    private Native() {
    }

    /**
     * A handle on the C library's {@code name}.
     *
     * @throws UnsatisfiedLinkError if the library has no such symbol
     */
    public static MethodHandle downcall(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        return LINKER.downcallHandle(symbol(name), descriptor, options);
    }

    /**
     * The address of the C library's {@code name} (a function or a variable).
     *
     * @throws UnsatisfiedLinkError if the library has no such symbol
     */
    public static MemorySegment symbol(String name) {
        return LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
    }

    /**
     * What {@code invokeExact} threw, for the caller to throw: an unchecked exception or an error as
     * it is, anything else (a handle cannot throw it) wrapped in an {@link IllegalStateException}
     * naming {@code function}.
     */
    public static RuntimeException unexpected(String function, Throwable t) {
        if (t instanceof RuntimeException e) {
            return e;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException(function + " could not be called", t);
    }
}
