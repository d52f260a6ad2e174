package io.vnetd.actors.announce;

import io.vnetd.model.nic.MacAddress;

/**
 * The frame QEMU announces a NIC with ({@code announce_self_create}): a broadcast RARP "reverse
 * request" from the NIC's MAC about itself, padded to the 60-byte Ethernet minimum.
 */
public final class RarpFrame {

    public static final int LENGTH = 60;

    private RarpFrame() {
    }

    public static byte[] of(MacAddress mac) {
        byte[] frame = new byte[LENGTH];
        for (int i = 0; i < 6; i++) {
            frame[i] = (byte) 0xFF;
        }
        mac.writeTo(frame, 6);
        put16(frame, 12, 0x8035); // ethertype RARP
        put16(frame, 14, 1);      // hardware type: Ethernet
        put16(frame, 16, 0x0800); // protocol type: IPv4
        frame[18] = 6;            // hardware address length
        frame[19] = 4;            // protocol address length
        put16(frame, 20, 3);      // opcode: reverse request
        mac.writeTo(frame, 22);   // sender hardware address; sender protocol address stays 0.0.0.0
        mac.writeTo(frame, 32);   // target hardware address; target protocol address stays 0.0.0.0
        return frame;
    }

    private static void put16(byte[] frame, int offset, int value) {
        frame[offset] = (byte) (value >>> 8);
        frame[offset + 1] = (byte) value;
    }
}
