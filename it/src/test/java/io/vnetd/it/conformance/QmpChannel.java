package io.vnetd.it.conformance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * {@code qmp_run.QMPConn} over a UNIX socket: exact bytes out, one message per server line in,
 * and every wait bounded by the caller's timeout (a selector, since blocking UNIX channels have no
 * read timeout).
 */
final class QmpChannel implements AutoCloseable {

    /** The connection is gone; {@code message} is what qmp_run.py records as {@code "closed"}. */
    static final class ClosedException extends Exception {
        ClosedException(String message) {
            super(message);
        }
    }

    private static final long SEND_TIMEOUT_MS = 10_000;

    private final SocketChannel channel;
    private final Selector selector;
    private final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 16);
    private byte[] buffer = new byte[0];
    private boolean closed;

    private QmpChannel(SocketChannel channel, Selector selector) {
        this.channel = channel;
        this.selector = selector;
    }

    static QmpChannel connect(Path socket) throws IOException {
        SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            channel.connect(UnixDomainSocketAddress.of(socket));
            channel.configureBlocking(false);
            Selector selector = Selector.open();
            return new QmpChannel(channel, selector);
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    boolean closed() {
        return closed;
    }

    void send(byte[] data) throws ClosedException {
        if (closed) {
            throw new ClosedException("closed");
        }
        ByteBuffer out = ByteBuffer.wrap(data);
        long deadline = System.nanoTime() + SEND_TIMEOUT_MS * 1_000_000;
        try {
            SelectionKey key = channel.register(selector, SelectionKey.OP_WRITE);
            try {
                while (out.hasRemaining()) {
                    if (channel.write(out) > 0) {
                        continue;
                    }
                    long left = (deadline - System.nanoTime()) / 1_000_000;
                    if (left <= 0) {
                        closed = true;
                        throw new ClosedException("the server did not read " + data.length + " bytes within "
                                + SEND_TIMEOUT_MS + " ms");
                    }
                    selector.select(left);
                    selector.selectedKeys().clear();
                }
            } finally {
                key.interestOps(0);
            }
        } catch (IOException e) {
            closed = true;
            throw new ClosedException(pythonMessage(e));
        }
    }

    /** {@code recv(timeout)}: the next message, or null when none arrived within {@code timeoutSeconds}. */
    JsonNode receive(double timeoutSeconds) throws ClosedException {
        long deadline = System.nanoTime() + (long) (timeoutSeconds * 1e9);
        while (true) {
            JsonNode message = pop();
            if (message != null) {
                return message;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0 || !fill(left)) {
                return null;
            }
        }
    }

    /** Reads what is available within {@code timeoutNanos}; false on timeout. */
    private boolean fill(long timeoutNanos) throws ClosedException {
        if (closed) {
            throw new ClosedException("closed");
        }
        try {
            SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
            int ready;
            try {
                // qmp_run.py waits at least 1 ms per read.
                ready = selector.select(Math.max(1, timeoutNanos / 1_000_000));
                selector.selectedKeys().clear();
            } finally {
                key.interestOps(0);
            }
            if (ready == 0) {
                return false;
            }
            readBuffer.clear();
            int n = channel.read(readBuffer);
            if (n < 0) {
                closed = true;
                throw new ClosedException("EOF");
            }
            readBuffer.flip();
            byte[] more = new byte[readBuffer.remaining()];
            readBuffer.get(more);
            byte[] joined = Arrays.copyOf(buffer, buffer.length + more.length);
            System.arraycopy(more, 0, joined, buffer.length, more.length);
            buffer = joined;
            return true;
        } catch (IOException e) {
            closed = true;
            throw new ClosedException(pythonMessage(e));
        }
    }

    /** {@code _pop}: one complete line, stripped; blank lines skipped; unparsable lines kept as text. */
    private JsonNode pop() {
        while (true) {
            int nl = indexOf(buffer, (byte) '\n');
            if (nl < 0) {
                return null;
            }
            byte[] line = strip(Arrays.copyOfRange(buffer, 0, nl));
            buffer = Arrays.copyOfRange(buffer, nl + 1, buffer.length);
            if (line.length == 0) {
                continue;
            }
            try {
                return PythonJson.parse(new String(line, StandardCharsets.UTF_8));
            } catch (JsonProcessingException e) {
                return JsonNodeFactory.instance.objectNode().put("<unparsable-server-line>", backslashReplace(line));
            }
        }
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    /** Python's {@code bytes.strip()}: ASCII whitespace at both ends. */
    private static byte[] strip(byte[] bytes) {
        int start = 0;
        int end = bytes.length;
        while (start < end && isAsciiSpace(bytes[start])) {
            start++;
        }
        while (end > start && isAsciiSpace(bytes[end - 1])) {
            end--;
        }
        return Arrays.copyOfRange(bytes, start, end);
    }

    private static boolean isAsciiSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == 0x0b || b == 0x0c;
    }

    /** {@code bytes.decode("utf-8", "backslashreplace")}: undecodable bytes become {@code \xNN}. */
    static String backslashReplace(byte[] bytes) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length * 4 + 4);
        while (true) {
            CoderResult result = decoder.decode(in, out, true);
            if (result.isError()) {
                for (int i = 0; i < result.length(); i++) {
                    out.put(String.format("\\x%02x", in.get() & 0xff));
                }
            } else {
                decoder.flush(out);
                break;
            }
        }
        return out.flip().toString();
    }

    /** What Python's OSError says for the errors a peer causes; anything else as Java words it. */
    private static String pythonMessage(IOException e) {
        String message = String.valueOf(e.getMessage());
        if (message.contains("Connection reset")) {
            return "[Errno 104] Connection reset by peer";
        }
        if (message.contains("Broken pipe")) {
            return "[Errno 32] Broken pipe";
        }
        return message;
    }

    @Override
    public void close() throws IOException {
        try {
            selector.close();
        } finally {
            channel.close();
        }
    }
}
