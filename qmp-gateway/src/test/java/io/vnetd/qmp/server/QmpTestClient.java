package io.vnetd.qmp.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** A blocking QMP client that keeps the exact lines it receives. */
final class QmpTestClient implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    private final SocketChannel channel;
    private final ByteBuffer buffer = ByteBuffer.allocate(1 << 16).flip();

    private QmpTestClient(SocketChannel channel) {
        this.channel = channel;
    }

    static QmpTestClient connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        channel.connect(UnixDomainSocketAddress.of(socket));
        return new QmpTestClient(channel);
    }

    static QmpTestClient connect(SocketAddress address) throws IOException {
        return new QmpTestClient(SocketChannel.open(address));
    }

    /** Connects, checks the greeting and negotiates. */
    static QmpTestClient negotiated(Path socket) throws IOException {
        QmpTestClient client = connect(socket);
        client.readMessage();
        client.command("{\"execute\": \"qmp_capabilities\"}");
        return client;
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.UTF_8));
    }

    void send(byte[] bytes) throws IOException {
        ByteBuffer out = ByteBuffer.wrap(bytes);
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    /** One line as sent, CR LF included. */
    /** Shuts the sending side, as {@code socat} does at the end of its input. */
    void shutdownOutput() throws IOException {
        channel.shutdownOutput();
    }

    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (!buffer.hasRemaining()) {
                buffer.clear();
                int count = channel.read(buffer);
                buffer.flip();
                if (count < 0) {
                    throw new EOFException("server closed the connection");
                }
            }
            byte b = buffer.get();
            line.write(b);
            if (b == '\n') {
                return line.toString(StandardCharsets.UTF_8);
            }
        }
    }

    JsonNode readMessage() throws IOException {
        return JSON.readTree(readLine());
    }

    /** Sends a command and returns its response, skipping events. */
    JsonNode command(String json) throws IOException {
        send(json + "\n");
        while (true) {
            JsonNode message = readMessage();
            if (!message.has("event")) {
                return message;
            }
        }
    }

    /**
     * Reads until the server closes the connection (a reset counts: the server closed with input
     * of ours unread); returns how many bytes came before.
     */
    long drainToEnd() {
        long total = buffer.remaining();
        buffer.position(buffer.limit());
        ByteBuffer sink = ByteBuffer.allocate(1 << 16);
        try {
            for (int count; (count = channel.read(sink.clear())) >= 0; ) {
                total += count;
            }
        } catch (IOException reset) {
            return total;
        }
        return total;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
