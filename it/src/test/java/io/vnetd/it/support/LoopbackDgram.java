package io.vnetd.it.support;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;

/** A test's UDP peers of dgram netdevs on loopback: the netdev's arguments, and the frames the test sends. */
public final class LoopbackDgram {

    /** The length of {@link #frame}: Ethernet's minimum without its checksum. */
    public static final int FRAME_LENGTH = 60;

    private LoopbackDgram() {
    }

    /** The port {@code channel} is bound to. */
    public static int port(DatagramChannel channel) throws IOException {
        return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }

    /** {@code netdev_add}'s arguments for a dgram netdev bound to 127.0.0.1:{@code local}, sending to :{@code remote}. */
    public static String netdev(String id, int local, int remote) {
        return "{\"type\":\"dgram\",\"id\":\"" + id + "\","
                + "\"local\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + local + "\"},"
                + "\"remote\":{\"type\":\"inet\",\"host\":\"127.0.0.1\",\"port\":\"" + remote + "\"}}";
    }

    /** A {@link #FRAME_LENGTH}-byte frame to a unicast MAC, its sequence number after the header. */
    public static byte[] frame(int sequence) {
        ByteBuffer frame = ByteBuffer.allocate(FRAME_LENGTH);
        frame.put(new byte[] {0x52, 0x54, 0, 0x12, 0x34, 0x57, 0x52, 0x54, 0, 0x12, 0x34, 0x56});
        frame.putShort((short) 0x88b5).putInt(sequence);
        return frame.array();
    }
}
