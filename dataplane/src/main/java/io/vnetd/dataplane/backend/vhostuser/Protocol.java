package io.vnetd.dataplane.backend.vhostuser;

/**
 * vhost-user's wire format and numbers (QEMU's {@code docs/interop/vhost-user.rst}) and the virtio
 * feature bits a network back-end negotiates. A message is a 12-byte header (request, flags, payload
 * size; native byte order, little-endian here) and a payload whose layout the request names;
 * descriptors travel beside it as {@code SCM_RIGHTS}.
 */
public final class Protocol {

    public static final int HEADER_LENGTH = 12;
    /**
     * The longest payload accepted: the memory table with its 8 regions is the largest message a
     * network front-end sends (8 + 8 * 32 bytes); anything far beyond it is hostile.
     */
    public static final int MAX_PAYLOAD = 4096;

    /** Flags: the protocol version in the low two bits, then reply and need-reply. */
    public static final int VERSION = 0x1;
    public static final int VERSION_MASK = 0x3;
    public static final int FLAG_REPLY = 0x4;
    public static final int FLAG_NEED_REPLY = 0x8;

    public static final int GET_FEATURES = 1;
    public static final int SET_FEATURES = 2;
    public static final int SET_OWNER = 3;
    public static final int RESET_OWNER = 4;
    public static final int SET_MEM_TABLE = 5;
    public static final int SET_LOG_BASE = 6;
    public static final int SET_LOG_FD = 7;
    public static final int SET_VRING_NUM = 8;
    public static final int SET_VRING_ADDR = 9;
    public static final int SET_VRING_BASE = 10;
    public static final int GET_VRING_BASE = 11;
    public static final int SET_VRING_KICK = 12;
    public static final int SET_VRING_CALL = 13;
    public static final int SET_VRING_ERR = 14;
    public static final int GET_PROTOCOL_FEATURES = 15;
    public static final int SET_PROTOCOL_FEATURES = 16;
    public static final int GET_QUEUE_NUM = 17;
    public static final int SET_VRING_ENABLE = 18;
    public static final int SEND_RARP = 19;

    /** Payload sizes. */
    public static final int U64_LENGTH = 8;
    public static final int VRING_STATE_LENGTH = 8;
    public static final int VRING_ADDR_LENGTH = 40;
    public static final int MEMORY_HEADER_LENGTH = 8;
    public static final int MEMORY_REGION_LENGTH = 32;
    public static final int MAX_REGIONS = 8;
    /** The most descriptors one message carries: one a memory region ({@code VHOST_MEMORY_BASELINE_NREGIONS}). */
    public static final int MAX_FDS = MAX_REGIONS;

    /** In a SET_VRING_KICK/CALL/ERR payload: the vring index, and the bit saying no descriptor comes. */
    public static final long VRING_INDEX_MASK = 0xff;
    public static final long VRING_NOFD = 1L << 8;

    public static final int VIRTIO_NET_F_MRG_RXBUF = 15;
    public static final int VIRTIO_NET_F_STATUS = 16;
    public static final int VIRTIO_NET_F_MQ = 22;
    public static final int VIRTIO_RING_F_INDIRECT_DESC = 28;
    public static final int VHOST_USER_F_PROTOCOL_FEATURES = 30;
    public static final int VIRTIO_F_VERSION_1 = 32;

    public static final int PROTOCOL_F_MQ = 0;
    public static final int PROTOCOL_F_RARP = 2;
    public static final int PROTOCOL_F_REPLY_ACK = 3;

    /** What a vnetd port offers. */
    public static final long FEATURES = bit(VIRTIO_F_VERSION_1) | bit(VIRTIO_NET_F_MRG_RXBUF)
            | bit(VIRTIO_RING_F_INDIRECT_DESC) | bit(VIRTIO_NET_F_STATUS) | bit(VIRTIO_NET_F_MQ)
            | bit(VHOST_USER_F_PROTOCOL_FEATURES);
    public static final long PROTOCOL_FEATURES = bit(PROTOCOL_F_MQ) | bit(PROTOCOL_F_RARP) | bit(PROTOCOL_F_REPLY_ACK);

    private Protocol() {
    }

    public static long bit(int feature) {
        return 1L << feature;
    }

    /** The request's name, for error messages. */
    public static String name(int request) {
        return switch (request) {
            case GET_FEATURES -> "GET_FEATURES";
            case SET_FEATURES -> "SET_FEATURES";
            case SET_OWNER -> "SET_OWNER";
            case RESET_OWNER -> "RESET_OWNER";
            case SET_MEM_TABLE -> "SET_MEM_TABLE";
            case SET_LOG_BASE -> "SET_LOG_BASE";
            case SET_LOG_FD -> "SET_LOG_FD";
            case SET_VRING_NUM -> "SET_VRING_NUM";
            case SET_VRING_ADDR -> "SET_VRING_ADDR";
            case SET_VRING_BASE -> "SET_VRING_BASE";
            case GET_VRING_BASE -> "GET_VRING_BASE";
            case SET_VRING_KICK -> "SET_VRING_KICK";
            case SET_VRING_CALL -> "SET_VRING_CALL";
            case SET_VRING_ERR -> "SET_VRING_ERR";
            case GET_PROTOCOL_FEATURES -> "GET_PROTOCOL_FEATURES";
            case SET_PROTOCOL_FEATURES -> "SET_PROTOCOL_FEATURES";
            case GET_QUEUE_NUM -> "GET_QUEUE_NUM";
            case SET_VRING_ENABLE -> "SET_VRING_ENABLE";
            case SEND_RARP -> "SEND_RARP";
            default -> "request " + request;
        };
    }
}
