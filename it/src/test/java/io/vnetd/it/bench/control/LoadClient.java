package io.vnetd.it.bench.control;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A QMP connection built for load: commands go out as pre-encoded bytes and answers are told apart
 * by their first key only, so the client spends as little as possible of the two cores it shares
 * with the server. It never parses JSON: a line that starts with <code>{"return"</code> is a
 * success, one with an {@code "event"} key is skipped, anything else (an error) fails the run.
 * Blocking I/O; {@link LoadRun} bounds every wait by closing the channel from another thread.
 */
public final class LoadClient implements AutoCloseable {

    private static final byte[] CAPABILITIES = Commands.execute("qmp_capabilities");
    private static final byte[] RETURN = "{\"return\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] EVENT = "\"event\"".getBytes(StandardCharsets.US_ASCII);

    private final SocketChannel channel;
    private final ByteBuffer in = ByteBuffer.allocateDirect(1 << 16).flip();
    private byte[] line = new byte[256];
    private int lineLength;

    private LoadClient(SocketChannel channel) {
        this.channel = channel;
    }

    /** Connects; {@link #negotiate} comes next. */
    public static LoadClient open(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new LoadClient(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** Reads the greeting and negotiates capabilities. */
    public void negotiate() throws IOException {
        readLine();
        send(CAPABILITIES);
        awaitReturn();
    }

    public void send(byte[] command) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(command);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /**
     * Reads up to the next answer, skipping events, and returns its length in bytes; an error answer fails the
     * run.
     */
    public int awaitReturn() throws IOException {
        while (true) {
            readLine();
            if (startsWith(RETURN)) {
                return lineLength;
            }
            if (!contains(EVENT)) {
                throw new IllegalStateException("unexpected answer: " + new String(line, 0, lineLength, StandardCharsets.UTF_8));
            }
        }
    }

    private void readLine() throws IOException {
        lineLength = 0;
        while (true) {
            while (in.hasRemaining()) {
                byte b = in.get();
                if (b == '\n') {
                    return;
                }
                if (lineLength == line.length) {
                    line = Arrays.copyOf(line, line.length * 2);
                }
                line[lineLength++] = b;
            }
            in.clear();
            int n = channel.read(in);
            in.flip();
            if (n < 0) {
                throw new IOException("the server closed the QMP connection");
            }
        }
    }

    private boolean startsWith(byte[] prefix) {
        return lineLength >= prefix.length && Arrays.equals(line, 0, prefix.length, prefix, 0, prefix.length);
    }

    private boolean contains(byte[] part) {
        for (int i = 0; i + part.length <= lineLength; i++) {
            if (Arrays.equals(line, i, i + part.length, part, 0, part.length)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
