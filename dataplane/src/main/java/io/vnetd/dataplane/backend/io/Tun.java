package io.vnetd.dataplane.backend.io;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.vnetd.model.error.NetException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;

/**
 * Linux's tun/tap driver ({@code /dev/net/tun}) through {@code java.lang.foreign}: opens a queue of
 * a tap interface the way QEMU's {@code tap_open} ({@code net/tap-linux.c}) does, and the few
 * {@code ioctl}s around it. Set-up only, for the threads that open backends; frames then move with
 * {@link Libc#read} and {@link Libc#write} on the descriptor.
 *
 * <p>The constants are Linux's ({@code linux/if_tun.h}, {@code linux/if.h}), the same on x86-64 and
 * AArch64.
 */
public final class Tun {

    /** Where the driver's clone device is. */
    public static final String PATH = "/dev/net/tun";
    /** {@code IFNAMSIZ}: an interface name is at most 15 bytes and a NUL. */
    public static final int IFNAMSIZ = 16;
    /** {@code sizeof(struct virtio_net_hdr)}: the header QEMU has a tap with {@code IFF_VNET_HDR} use. */
    public static final int VNET_HEADER_LENGTH = 10;

    private static final int IFF_TAP = 0x0002;
    private static final int IFF_NO_PI = 0x1000;
    private static final int IFF_ONE_QUEUE = 0x2000;
    private static final int IFF_VNET_HDR = 0x4000;
    private static final int IFF_MULTI_QUEUE = 0x0100;

    private static final long TUNSETIFF = 0x400454caL;
    private static final long TUNGETFEATURES = 0x800454cfL;
    private static final long TUNSETSNDBUF = 0x400454d4L;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    private static final long TUNGETIFF = 0x800454d2L;
    private static final long TUNSETVNETHDRSZ = 0x400454d8L;
    private static final long TUNSETPERSIST = 0x400454cbL;
    private static final long SIOCSIFHWADDR = 0x8924L;
    private static final int IFF_PERSIST = 0x0800;
    /** {@code ARPHRD_ETHER}: the address family of an Ethernet device's hardware address. */
    private static final short ARPHRD_ETHER = 1;
    /** {@code ifr_hwaddr.sa_data}: after the name and {@code sa_family}. */
    private static final int IFR_HWADDR_DATA = 18;
    private static final long FIONBIO = 0x5421L;

    private static final int O_RDWR = 2;
    private static final int O_CLOEXEC = 0x80000;

    /** {@code struct ifreq}: the name, then a union whose first member here is {@code short ifr_flags}. */
    private static final int IFREQ_LENGTH = 40;
    private static final int IFR_FLAGS = 16;

    private static final MethodHandle OPEN = Native.downcall("open",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(2),
            Native.CAPTURE_ERRNO);
    private static final MethodHandle IOCTL = Native.downcall("ioctl",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS), Linker.Option.firstVariadicArg(2),
            Native.CAPTURE_ERRNO);
    private static final MethodHandle WRITEV = Native.downcall("writev",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));

    private Tun() {
    }

    /** What {@link #open} made: a non-blocking, close-on-exec descriptor and the interface's name. */
    public record Queue(int fd, String ifname) {
    }

    /**
     * Opens {@code /dev/net/tun} and attaches it to tap interface {@code ifname} (created if absent;
     * a {@code %d} in it is replaced by the kernel with the first free number; empty means
     * {@code tap%d}), plain Ethernet frames ({@code IFF_TAP | IFF_NO_PI}, plus
     * {@code IFF_ONE_QUEUE} where the kernel still knows it, as QEMU asks), non-blocking. The name is
     * cut to 15 bytes as QEMU's {@code pstrcpy} into {@code ifr_name} cuts it.
     *
     * @param multiQueue attach as one of several queues ({@code IFF_MULTI_QUEUE})
     * @throws ErrnoException with QEMU's wording: {@code could not open /dev/net/tun: ...},
     *                        {@code could not configure /dev/net/tun (NAME): ...} (just
     *                        {@code could not configure /dev/net/tun: ...} for an empty name)
     * @throws NetException with QEMU's wording if the kernel lacks multi-queue support
     */
    public static Queue open(String ifname, boolean multiQueue) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            int fd = openFile(errno, arena.allocateFrom(PATH), O_RDWR | O_CLOEXEC, 0);
            if (fd < 0) {
                throw new ErrnoException("could not open " + PATH, Libc.errno(errno));
            }
            try (OwnedFd tap = new OwnedFd(fd)) {
                int features = features(fd);
                int flags = IFF_TAP | IFF_NO_PI | (features & IFF_ONE_QUEUE);
                if (multiQueue) {
                    if ((features & IFF_MULTI_QUEUE) == 0) {
                        throw NetException.generic(
                                "multiqueue required, but no kernel support for IFF_MULTI_QUEUE available");
                    }
                    flags |= IFF_MULTI_QUEUE;
                }
                String requested = truncate(ifname.isEmpty() ? "tap%d" : ifname);
                MemorySegment ifr = arena.allocate(IFREQ_LENGTH, 8);
                byte[] name = requested.getBytes(StandardCharsets.UTF_8);
                MemorySegment.copy(name, 0, ifr, ValueLayout.JAVA_BYTE, 0, name.length);
                ifr.set(ValueLayout.JAVA_SHORT, IFR_FLAGS, (short) flags);
                if (ioctl(errno, fd, TUNSETIFF, ifr) < 0) {
                    throw new ErrnoException(ifname.isEmpty()
                            ? "could not configure " + PATH
                            : "could not configure " + PATH + " (" + requested + ")", Libc.errno(errno));
                }
                setNonBlocking(fd);
                return tap.handOver(new Queue(fd, ifr.getString(0, StandardCharsets.UTF_8)));
            }
        }
    }

    /** {@code TUNGETFEATURES}: the {@code IFF_*} flags the driver supports, 0 if it cannot tell (as QEMU assumes). */
    public static int features(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment features = arena.allocate(JAVA_INT);
            return ioctl(errno, fd, TUNGETFEATURES, features) < 0 ? 0 : features.get(JAVA_INT, 0);
        }
    }

    /** Whether the driver can prepend a virtio-net header to frames ({@code IFF_VNET_HDR}). */
    public static boolean supportsVnetHeader(int fd) {
        return (features(fd) & IFF_VNET_HDR) != 0;
    }

    /**
     * {@code TUNSETSNDBUF}: bytes the interface may have queued towards the descriptor's reader
     * before it drops.
     *
     * @return 0, or the {@code errno}
     */
    public static int setSendBuffer(int fd, int bytes) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            return ioctl(errno, fd, TUNSETSNDBUF, arena.allocateFrom(JAVA_INT, bytes)) < 0 ? Libc.errno(errno) : 0;
        }
    }

    /**
     * Prepares a tap descriptor made elsewhere (by {@code qemu-bridge-helper}) as QEMU's
     * {@code net_tap_fd_init} does: non-blocking, no offloads (so no frame is ever segmented or
     * checksummed by the reader), and if the helper asked for virtio-net headers
     * ({@code IFF_VNET_HDR}), headers of {@value #VNET_HEADER_LENGTH} bytes.
     *
     * @return the interface, and the length of the header before every frame (0 or {@value #VNET_HEADER_LENGTH})
     */
    public static Adopted adopt(int fd) {
        setNonBlocking(fd);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment ifr = arena.allocate(IFREQ_LENGTH, 8);
            if (ioctl(errno, fd, TUNGETIFF, ifr) < 0) {
                throw new ErrnoException("TUNGETIFF ioctl failed", Libc.errno(errno));
            }
            // The offload flags travel by value, not through a pointer.
            ioctl(errno, fd, TUNSETOFFLOAD, MemorySegment.NULL);
            int headerLength = 0;
            if ((ifr.get(ValueLayout.JAVA_SHORT, IFR_FLAGS) & IFF_VNET_HDR) != 0) {
                headerLength = VNET_HEADER_LENGTH;
                if (ioctl(errno, fd, TUNSETVNETHDRSZ, arena.allocateFrom(JAVA_INT, headerLength)) < 0) {
                    throw new ErrnoException("TUNSETVNETHDRSZ ioctl failed", Libc.errno(errno));
                }
            }
            return new Adopted(ifr.getString(0, StandardCharsets.UTF_8), headerLength);
        }
    }

    /**
     * Whether the interface of tap descriptor {@code fd} outlives its descriptors ({@code IFF_PERSIST}):
     * one found so was there before the descriptor attached to it.
     */
    public static boolean isPersistent(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment ifr = arena.allocate(IFREQ_LENGTH, 8);
            if (ioctl(errno, fd, TUNGETIFF, ifr) < 0) {
                throw new ErrnoException("TUNGETIFF ioctl failed", Libc.errno(errno));
            }
            return (ifr.get(ValueLayout.JAVA_SHORT, IFR_FLAGS) & IFF_PERSIST) != 0;
        }
    }

    /**
     * {@code TUNSETPERSIST}: whether the interface stays when its last descriptor closes (a process
     * killed included), or goes with it.
     */
    public static void setPersistent(int fd, boolean persistent) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            // The flag travels by value, not through a pointer.
            if (ioctl(errno, fd, TUNSETPERSIST, MemorySegment.ofAddress(persistent ? 1 : 0)) < 0) {
                throw new ErrnoException("TUNSETPERSIST ioctl failed", Libc.errno(errno));
            }
        }
    }

    /** {@code SIOCSIFHWADDR} through the tap's descriptor: the interface's MAC address, 6 bytes. */
    public static void setHardwareAddress(int fd, byte[] mac) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            MemorySegment ifr = arena.allocate(IFREQ_LENGTH, 8);
            ifr.set(ValueLayout.JAVA_SHORT, IFR_FLAGS, ARPHRD_ETHER);
            MemorySegment.copy(mac, 0, ifr, ValueLayout.JAVA_BYTE, IFR_HWADDR_DATA, mac.length);
            if (ioctl(errno, fd, SIOCSIFHWADDR, ifr) < 0) {
                throw new ErrnoException("could not set the tap's MAC address", Libc.errno(errno));
            }
        }
    }

    /** A tap descriptor made elsewhere: its interface and the virtio-net header length its frames carry. */
    public record Adopted(String ifname, int headerLength) {
    }

    /**
     * {@code writev(2)} of the {@code struct iovec} array at {@code iov}: the byte count, or -1
     * ({@code errno} not kept: the packet path).
     */
    public static long writev(int fd, long iov, int count) {
        try {
            return (long) WRITEV.invokeExact(fd, iov, count);
        } catch (Throwable t) {
            throw Native.unexpected("writev", t);
        }
    }

    /** {@code FIONBIO}: makes {@code fd} non-blocking (a descriptor received from a helper is not). */
    public static void setNonBlocking(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoCell(arena);
            if (ioctl(errno, fd, FIONBIO, arena.allocateFrom(JAVA_INT, 1)) < 0) {
                throw new ErrnoException("could not make the tap descriptor non-blocking", Libc.errno(errno));
            }
        }
    }

    /** The first 15 bytes of {@code name}, as a C string in {@code ifr_name} holds them. */
    public static String truncate(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return bytes.length < IFNAMSIZ ? name : new String(bytes, 0, IFNAMSIZ - 1, StandardCharsets.UTF_8);
    }

    private static int openFile(MemorySegment errno, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPEN.invokeExact(errno, path, flags, mode);
        } catch (Throwable t) {
            throw Native.unexpected("open", t);
        }
    }

    private static int ioctl(MemorySegment errno, int fd, long request, MemorySegment argument) {
        try {
            return (int) IOCTL.invokeExact(errno, fd, request, argument);
        } catch (Throwable t) {
            throw Native.unexpected("ioctl", t);
        }
    }
}
