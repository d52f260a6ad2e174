package io.vnetd.qmp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.qmp.command.CommandContext;
import io.vnetd.qmp.json.JsonLimits;
import io.vnetd.qmp.json.JsonMessageParser;
import io.vnetd.qmp.json.JsonOutput;
import io.vnetd.qmp.json.QmpJsonWriter;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One QMP session, independent of its transport: greeting, capabilities negotiation, and requests
 * answered strictly in order, each one starting only when the one before it has been answered
 * (QEMU's in-band queue; a malformed text takes its turn like a command). Out-of-band requests are
 * answered as soon as they are parsed. Events reach the session once it has negotiated.
 *
 * <p>Not thread-safe: its transport calls it under one lock (or from one thread), and completions
 * of asynchronous commands run through {@code executor}, which must take the same. When as many
 * requests are pending as allowed, the session stops taking input (QEMU suspends the monitor) until
 * one has been answered.
 */
public final class QmpSession implements CommandContext {

    /** Where the session's output goes. Called under the session's lock only. */
    public interface Transport {
        /** Sends one complete message (a JSON text and CR LF), in pieces; the buffers are the transport's now. */
        void send(List<ByteBuffer> message);

        /** Input was suspended and may be taken again; bytes left over are to be passed in first. */
        void resumeInput();

        /**
         * Whether output is piling up because the client reads slowly: input is then left alone
         * until it has drained, so a client that pipelines requests is slowed down, not cut off.
         */
        boolean congested();

        /** Every request received so far is answered (a client that stopped sending may now go). */
        void idle();
    }

    /** One parsed JSON text, waiting for its turn. */
    private sealed interface Input {
    }

    private record Request(JsonNode value) implements Input {
    }

    private record Malformed(String desc) implements Input {
    }

    private final Dispatcher dispatcher;
    private final Executor executor;
    private final Transport transport;
    private final byte[] greeting;
    private final int maxPendingRequests;
    private final JsonMessageParser parser;
    private final ArrayDeque<Input> queue = new ArrayDeque<>();
    private boolean executing;
    private boolean negotiated;
    private boolean outOfBand;
    private boolean closed;

    /**
     * @param executor           runs a completed command's answer under the session's lock (or on its thread)
     * @param greeting           the greeting line, sent by {@link #start()}
     * @param maxPendingRequests how many requests may wait (the one executing included) before input is suspended
     */
    public QmpSession(Dispatcher dispatcher, Executor executor, Transport transport, byte[] greeting,
                      JsonLimits limits, int maxPendingRequests) {
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.transport = transport;
        this.greeting = greeting;
        this.maxPendingRequests = maxPendingRequests;
        this.parser = new JsonMessageParser(limits, new JsonMessageParser.Listener() {
            @Override
            public void onValue(JsonNode value) {
                received(new Request(value));
            }

            @Override
            public void onError(String description) {
                received(new Malformed(description));
            }
        });
    }

    public void start() {
        transport.send(List.of(ByteBuffer.wrap(greeting)));
    }

    /**
     * Takes input bytes; stops early, leaving the rest in {@code bytes}, when input is suspended or
     * the transport is congested.
     */
    public void input(ByteBuffer bytes) {
        while (bytes.hasRemaining() && !inputSuspended() && !transport.congested()) {
            parser.feed(bytes.get());
        }
    }

    /** Whether every request received so far has been answered. */
    public boolean idle() {
        return !executing && queue.isEmpty();
    }

    public boolean inputSuspended() {
        return queue.size() + (executing ? 1 : 0) >= maxPendingRequests;
    }

    /** An event, serialized: sent only once capabilities are negotiated (QEMU drops it before). */
    public void event(byte[] message) {
        if (negotiated && !closed) {
            transport.send(List.of(ByteBuffer.wrap(message)));
        }
    }

    /** The transport is gone: answers still to come are dropped. */
    public void close() {
        closed = true;
        queue.clear();
    }

    @Override
    public boolean negotiated() {
        return negotiated;
    }

    @Override
    public void completeNegotiation(boolean oob) {
        negotiated = true;
        outOfBand = oob;
    }

    private void received(Input input) {
        if (input instanceof Request r && Dispatcher.isOutOfBand(r.value())) {
            run(r.value(), false);
            return;
        }
        queue.add(input);
        drain();
    }

    private void drain() {
        while (!executing && !closed && !queue.isEmpty()) {
            switch (queue.poll()) {
                case Malformed m -> send(QmpJsonWriter.lineOutput(QmpMessages.error(ErrorClass.GenericError, m.desc(), null)));
                case Request r -> run(r.value(), true);
            }
        }
    }

    /** @param inBand whether the request holds up the ones after it until it is answered */
    private void run(JsonNode request, boolean inBand) {
        CompletableFuture<JsonOutput> response = dispatcher.dispatch(request, this, outOfBand).toCompletableFuture();
        if (response.isDone()) {
            send(response.join());
            return;
        }
        executing |= inBand;
        response.thenAccept(r -> executor.execute(() -> answered(r, inBand)));
    }

    private void answered(JsonOutput response, boolean inBand) {
        boolean wasSuspended = inputSuspended();
        send(response);
        if (inBand) {
            executing = false;
            drain();
        }
        if (wasSuspended && !inputSuspended() && !closed) {
            transport.resumeInput();
        }
        if (idle() && !closed) {
            transport.idle();
        }
    }

    private void send(JsonOutput message) {
        if (!closed) {
            transport.send(message.chunks());
        }
    }
}
