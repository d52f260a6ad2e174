package io.vnetd.dataplane.backend.io;

import io.vnetd.model.netdev.SocketAddress;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;

/**
 * A socket address as the kernel takes it ({@code struct sockaddr_in}, {@code sockaddr_in6},
 * {@code sockaddr_un}, {@code sockaddr_vm}), kept as its bytes so that it can be handed to system
 * calls as often as needed. Immutable.
 */
public final class SockAddr {

    /** {@code sizeof(struct sockaddr_storage)}: room for any address the kernel returns. */
    public static final int STORAGE_LENGTH = 128;

    /** {@code sizeof(((struct sockaddr_un *) 0)->sun_path)}. */
    public static final int UNIX_PATH_MAX = 108;

    private static final int SUN_PATH_OFFSET = 2;
    private static final ByteOrder NATIVE = ByteOrder.nativeOrder();

    private final byte[] bytes;

    private SockAddr(byte[] bytes) {
        this.bytes = bytes;
    }

    /** An IPv4 address ({@code address} in host order, as {@link Ipv4#parse} gives it) and port. */
    public static SockAddr inet4(int address, int port) {
        ByteBuffer b = ByteBuffer.allocate(16);
        b.order(NATIVE).putShort(0, (short) Libc.AF_INET);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port).putInt(4, address);
        return new SockAddr(b.array());
    }

    /**
     * A unix socket address. A path in the file system is NUL-terminated; an abstract one starts with
     * a NUL and, {@code tight}, ends with the name, else fills {@code sun_path} (QEMU's
     * {@code unix_listen_saddr}).
     *
     * @throws IllegalArgumentException if the name does not fit {@code sun_path}
     */
    public static SockAddr unix(String path, boolean inAbstractNamespace, boolean tight) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        // A path may fill sun_path (the kernel needs no NUL); an abstract name follows its leading NUL.
        int room = inAbstractNamespace ? UNIX_PATH_MAX - 1 : UNIX_PATH_MAX;
        if (name.length > room) {
            throw new IllegalArgumentException("UNIX socket path '" + path + "' is too long");
        }
        int length = inAbstractNamespace && !tight ? SUN_PATH_OFFSET + UNIX_PATH_MAX
                : SUN_PATH_OFFSET + Math.min(name.length + 1, UNIX_PATH_MAX);
        byte[] bytes = new byte[length];
        ByteBuffer.wrap(bytes).order(NATIVE).putShort(0, (short) Libc.AF_UNIX);
        System.arraycopy(name, 0, bytes, SUN_PATH_OFFSET + (inAbstractNamespace ? 1 : 0), name.length);
        return new SockAddr(bytes);
    }

    /** An {@code AF_VSOCK} address. */
    public static SockAddr vsock(int cid, int port) {
        ByteBuffer b = ByteBuffer.allocate(16).order(NATIVE);
        b.putShort(0, (short) Libc.AF_VSOCK).putInt(4, port).putInt(8, cid);
        return new SockAddr(b.array());
    }

    /** The first {@code length} bytes at {@code address}, as a system call left them. */
    public static SockAddr copyOf(MemorySegment address, int length) {
        return new SockAddr(address.asSlice(0, Math.min(length, STORAGE_LENGTH)).toArray(ValueLayout.JAVA_BYTE));
    }

    public int family() {
        return ByteBuffer.wrap(bytes).order(NATIVE).getShort(0);
    }

    public int length() {
        return bytes.length;
    }

    /** A native copy for system calls, in {@code arena}. */
    public MemorySegment toSegment(Arena arena) {
        MemorySegment segment = arena.allocate(Math.max(bytes.length, 16), 8);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        return segment;
    }

    /** Writes the address at the start of {@code segment}, which must be large enough. */
    public void copyTo(MemorySegment segment) {
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
    }

    /** The port of an inet address. */
    public int port() {
        requireInet();
        return Short.toUnsignedInt(ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).getShort(2));
    }

    /** An IPv4 address in host order. */
    public int ipv4() {
        if (family() != Libc.AF_INET) {
            throw new IllegalStateException("not an IPv4 address");
        }
        return ByteBuffer.wrap(bytes).order(ByteOrder.BIG_ENDIAN).getInt(4);
    }

    /** This address with another port (inet only). */
    public SockAddr withPort(int port) {
        requireInet();
        byte[] copy = bytes.clone();
        ByteBuffer.wrap(copy).order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port);
        return new SockAddr(copy);
    }

    /** Whether this is a unix address in the abstract namespace. */
    public boolean isAbstract() {
        return family() == Libc.AF_UNIX && bytes.length > SUN_PATH_OFFSET && bytes[SUN_PATH_OFFSET] == 0;
    }

    /** The path of a unix address in the file system. */
    public Optional<String> fileSystemPath() {
        if (family() != Libc.AF_UNIX || bytes.length <= SUN_PATH_OFFSET || isAbstract()) {
            return Optional.empty();
        }
        return Optional.of(cString(SUN_PATH_OFFSET, bytes.length));
    }

    /**
     * The address as QAPI's {@code SocketAddress}, the way QEMU's {@code socket_sockaddr_to_address}
     * makes it: inet with a numeric host and port and {@code ipv4} or {@code ipv6} set; unix with its
     * path, and for an abstract name {@code abstract} and whether it was {@code tight}.
     */
    public SocketAddress toSocketAddress() {
        return switch (family()) {
            case Libc.AF_INET, Libc.AF_INET6 -> {
                String[] hostAndPort = numericHostAndPort();
                boolean v4 = family() == Libc.AF_INET;
                yield new SocketAddress.Inet(hostAndPort[0], hostAndPort[1], Optional.empty(), Optional.empty(),
                        v4 ? Optional.of(true) : Optional.empty(), v4 ? Optional.empty() : Optional.of(true),
                        Optional.empty(), Optional.empty());
            }
            case Libc.AF_UNIX -> {
                int pathLength = bytes.length - SUN_PATH_OFFSET;
                if (isAbstract()) {
                    String name = cString(SUN_PATH_OFFSET + 1, bytes.length);
                    yield new SocketAddress.Unix(name, Optional.of(true), Optional.of(pathLength < UNIX_PATH_MAX));
                }
                yield SocketAddress.Unix.of(cString(SUN_PATH_OFFSET, bytes.length));
            }
            case Libc.AF_VSOCK -> {
                ByteBuffer b = ByteBuffer.wrap(bytes).order(NATIVE);
                yield new SocketAddress.Vsock(Integer.toUnsignedString(b.getInt(8)), Integer.toUnsignedString(b.getInt(4)));
            }
            default -> throw new IllegalStateException("address family " + family() + " is not a socket address QEMU knows");
        };
    }

    /** {@code getnameinfo(NI_NUMERICHOST | NI_NUMERICSERV)}. */
    private String[] numericHostAndPort() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(Libc.NI_MAXHOST);
            MemorySegment service = arena.allocate(Libc.NI_MAXSERV);
            int rc = Libc.getnameinfo(toSegment(arena), bytes.length, host, Libc.NI_MAXHOST, service, Libc.NI_MAXSERV,
                    Libc.NI_NUMERICHOST | Libc.NI_NUMERICSERV);
            if (rc != 0) {
                throw new IllegalStateException("Cannot format numeric socket address: " + Libc.gaiStrerror(rc));
            }
            return new String[] {host.getString(0), service.getString(0)};
        }
    }

    private String cString(int from, int to) {
        int end = from;
        while (end < to && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, from, end - from, StandardCharsets.UTF_8);
    }

    private void requireInet() {
        if (family() != Libc.AF_INET && family() != Libc.AF_INET6) {
            throw new IllegalStateException("not an inet address");
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SockAddr other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return switch (family()) {
            case Libc.AF_INET, Libc.AF_INET6 -> {
                String[] hostAndPort = numericHostAndPort();
                yield (family() == Libc.AF_INET6 ? "[" + hostAndPort[0] + "]" : hostAndPort[0]) + ":" + hostAndPort[1];
            }
            case Libc.AF_UNIX -> isAbstract() ? "@" + cString(SUN_PATH_OFFSET + 1, bytes.length)
                    : cString(SUN_PATH_OFFSET, bytes.length);
            default -> "family " + family();
        };
    }
}
