package io.vnetd.dataplane.backend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Descriptors over a socket pair: each arrives as a working descriptor of the same file, and one that
 * does not fit what the receiver takes is closed, never left open in the process. Whether a
 * descriptor is still open anywhere shows at the other end of a socket pair, which reads end of file
 * once the last copy of this end is gone.
 */
class ScmRightsTest {

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment data = arena.allocate(8);
    private int[] channel;
    private int[] witness;

    @BeforeEach
    void sockets() {
        channel = ScmRights.socketPair();
        witness = ScmRights.socketPair();
    }

    @AfterEach
    void closeAll() {
        Sockets.close(channel[0]);
        Sockets.close(channel[1]);
        Sockets.close(witness[0]);
        Sockets.close(witness[1]);
        arena.close();
    }

    @Test
    void aReceiverTakesEveryDescriptorOfAMessage() {
        int small = SharedMemory.memfd("small", 4096);
        int large = SharedMemory.memfd("large", 8192);
        ScmRights.send(channel[0], data, 3, small, large);
        Sockets.close(small);
        Sockets.close(large);

        ScmRights.Receiver receiver = new ScmRights.Receiver(8);
        assertEquals(3, receiver.receive(channel[1], data.address(), 8, Libc.MSG_DONTWAIT));
        assertEquals(2, receiver.fdCount());
        assertFalse(receiver.truncated());
        assertEquals(4096, SharedMemory.fileSize(receiver.fd(0)));
        assertEquals(8192, SharedMemory.fileSize(receiver.fd(1)));
        Sockets.close(receiver.fd(0));
        Sockets.close(receiver.fd(1));

        assertEquals(-Libc.EAGAIN, receiver.receive(channel[1], data.address(), 8, Libc.MSG_DONTWAIT));
        assertEquals(0, receiver.fdCount());
    }

    /**
     * One descriptor too many: three descriptors' control space has room for a fourth (it is rounded up
     * to 8 bytes), which the kernel fills and the receiver closes; two descriptors' space has none, and
     * the kernel closes the third.
     */
    @ParameterizedTest
    @ValueSource(ints = {3, 2})
    void descriptorsBeyondWhatAReceiverTakesAreClosed(int maxFds) {
        int memory = SharedMemory.memfd("kept", 4096);
        int[] sent = new int[maxFds + 1];
        Arrays.fill(sent, memory);
        sent[maxFds] = witness[0];
        ScmRights.send(channel[0], data, 1, sent);
        Sockets.close(memory);
        closeWitnessHere();

        ScmRights.Receiver receiver = new ScmRights.Receiver(maxFds);
        assertEquals(1, receiver.receive(channel[1], data.address(), 8, Libc.MSG_DONTWAIT));
        assertEquals(maxFds, receiver.fdCount());
        assertTrue(receiver.truncated());
        for (int i = 0; i < receiver.fdCount(); i++) {
            assertEquals(4096, SharedMemory.fileSize(receiver.fd(i)));
            Sockets.close(receiver.fd(i));
        }
        assertTrue(closedEverywhere());
    }

    @Test
    void theOneDescriptorReceiveClosesAnyMore() {
        int memory = SharedMemory.memfd("tap", 4096);
        ScmRights.send(channel[0], data, 1, memory, witness[0]);
        Sockets.close(memory);
        closeWitnessHere();

        int received = ScmRights.receive(channel[1]);
        assertEquals(4096, SharedMemory.fileSize(received));
        Sockets.close(received);
        assertTrue(closedEverywhere());
    }

    @Test
    void theOneDescriptorReceiveSaysWhenThePeerSentNone() {
        ScmRights.send(channel[0], data, 1);
        assertEquals(-1, ScmRights.receive(channel[1]));
        Sockets.close(channel[0]);
        channel[0] = -1;
        assertEquals(-1, ScmRights.receive(channel[1]));
    }

    private void closeWitnessHere() {
        Sockets.close(witness[0]);
        witness[0] = -1;
    }

    /** Whether the witness's first end is closed in this process: its other end reads end of file. */
    private boolean closedEverywhere() {
        return Libc.recv(witness[1], data.address(), 1, Libc.MSG_DONTWAIT) == 0;
    }
}
