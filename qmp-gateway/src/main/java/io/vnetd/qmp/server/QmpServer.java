package io.vnetd.qmp.server;

import io.vnetd.model.service.NetEvent;
import io.vnetd.model.service.NetworkService;
import io.vnetd.qmp.command.JsonBinding;
import io.vnetd.qmp.command.StandardCommands;
import io.vnetd.qmp.command.VersionInfo;
import io.vnetd.qmp.json.JsonLimits;
import io.vnetd.qmp.json.QmpJsonWriter;
import io.vnetd.qmp.protocol.CommandOutcomes;
import io.vnetd.qmp.protocol.Dispatcher;
import io.vnetd.qmp.protocol.EventEncoder;
import io.vnetd.qmp.protocol.QmpMessages;
import io.vnetd.qmp.protocol.QmpSession;
import io.vnetd.qmp.schema.HostConditions;
import io.vnetd.qmp.schema.Schema;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * vnetd's QMP server: listens on UNIX and TCP endpoints and serves each client a QMP session as
 * QEMU's monitor does, on a small fixed set of non-blocking I/O threads. Commands go to the
 * {@link NetworkService}; its events go to every negotiated session.
 *
 * <pre>{@code
 * QmpServer server = new QmpServer(new QmpServer.Context()
 *         .endpoint(QmpEndpoint.unix(Path.of("var/qmp.sock")))
 *         .networkService(controlPlane));
 * server.start();
 * ...
 * server.close();
 * }</pre>
 */
public final class QmpServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(QmpServer.class);

    private final Context context;
    private final List<IoLoop> loops = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();
    private final List<SocketAddress> boundAddresses = new ArrayList<>();
    private final AtomicInteger clients = new AtomicInteger();
    private final AtomicInteger nextLoop = new AtomicInteger();
    private final AtomicLong accepted = new AtomicLong();
    private Dispatcher dispatcher;
    private EventEncoder events;
    private byte[] greeting;
    private JsonLimits limits;
    private volatile boolean running;
    private boolean started;

    public QmpServer(Context context) {
        this.context = context;
    }

    /**
     * Binds every endpoint and starts serving.
     *
     * @throws UncheckedIOException naming the endpoint that cannot be bound (nothing stays bound then)
     * @throws IllegalArgumentException if the context is invalid
     * @throws IllegalStateException if the server was started before, or its context concluded already
     */
    public QmpServer start() {
        if (started) {
            throw new IllegalStateException("QMP server already started");
        }
        started = true;
        context.conclude();
        Schema schema = context.schema();
        VersionInfo version = new VersionInfo(context.qemuVersion(), "vnetd " + context.vnetdVersion());
        dispatcher = new Dispatcher(StandardCommands.table(schema, version, context.networkService()),
                context.commandOutcomes());
        events = new EventEncoder(schema);
        greeting = QmpJsonWriter.line(QmpMessages.greeting(JsonBinding.result(version), List.of("oob")));
        limits = new JsonLimits(context.maxInputBytes(), context.maxInputTokens(), context.maxInputNesting());

        try {
            for (QmpEndpoint endpoint : context.endpoints()) {
                listeners.add(listen(endpoint));
            }
        } catch (UncheckedIOException e) {
            listeners.forEach(Listener::shutdown);
            throw e;
        }
        for (int i = 0; i < context.ioThreads(); i++) {
            loops.add(new IoLoop("vnetd-qmp-io-" + i));
        }
        try {
            for (Listener listener : listeners) {
                listener.register(loops.getFirst());
                boundAddresses.add(listener.localAddress());
            }
        } catch (IOException e) {
            listeners.forEach(Listener::shutdown);
            stopLoops();
            throw new UncheckedIOException("cannot serve the QMP endpoints", e);
        }
        running = true;
        context.networkService().subscribe(this::publish);
        loops.forEach(IoLoop::start);
        LOG.info("QMP listening on {}", context.endpoints());
        return this;
    }

    /** The addresses actually bound, in endpoint order (useful with TCP port 0). */
    public List<SocketAddress> boundAddresses() {
        return List.copyOf(boundAddresses);
    }

    /** Stops listening, disconnects every client, removes the UNIX socket files. */
    @Override
    public void close() {
        if (!running) {
            return;
        }
        running = false;
        stopLoops();
        LOG.info("QMP server on {} closed", context.endpoints());
    }

    private void stopLoops() {
        for (IoLoop loop : loops) {
            try {
                loop.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private Listener listen(QmpEndpoint endpoint) {
        try {
            return switch (endpoint) {
                case QmpEndpoint.Unix unix -> {
                    UnixSocketFiles.Bound bound = UnixSocketFiles.bind(unix.path());
                    yield new Listener(endpoint, bound.channel(), bound, this::accepted);
                }
                case QmpEndpoint.Tcp tcp -> {
                    InetSocketAddress address = new InetSocketAddress(tcp.host(), tcp.port());
                    if (address.isUnresolved()) {
                        throw new IOException("cannot resolve host '" + tcp.host() + "'");
                    }
                    ServerSocketChannel channel = ServerSocketChannel.open();
                    try {
                        channel.bind(address);
                    } catch (IOException e) {
                        channel.close();
                        throw e;
                    }
                    yield new Listener(endpoint, channel, null, this::accepted);
                }
            };
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on QMP endpoint " + endpoint + ": " + e.getMessage(), e);
        }
    }

    /** On the first loop's thread: a new client, given to the next loop in turn. */
    private void accepted(QmpEndpoint endpoint, SocketChannel channel) {
        long number = accepted.incrementAndGet();
        String peer = endpoint + " #" + number;
        if (endpoint instanceof QmpEndpoint.Tcp) {
            try {
                peer = peer + " from " + channel.getRemoteAddress();
            } catch (IOException e) {
                LOG.debug("QMP client {}: no remote address: {}", peer, e.getMessage());
            }
        }
        if (clients.incrementAndGet() > context.maxConnections()) {
            clients.decrementAndGet();
            LOG.warn("QMP client {} refused: {} clients already connected", peer, context.maxConnections());
            closeQuietly(channel);
            return;
        }
        IoLoop loop = loops.get(Math.floorMod(nextLoop.getAndIncrement(), loops.size()));
        Connection connection = new Connection(loop, channel, peer, context.maxOutputQueueBytes(),
                (c, completions) -> new QmpSession(dispatcher, completions, c, greeting, limits,
                        context.maxPendingRequests()),
                clients::decrementAndGet);
        loop.execute(connection::open);
    }

    /**
     * From any thread: serialized once, then handed to each loop, which writes it to its sessions.
     * The thread that publishes (an entity, a data-plane agent) never waits for a client's lock.
     */
    private void publish(NetEvent event) {
        if (!running) {
            return; // the service cannot unsubscribe a listener
        }
        events.encode(event, Instant.now()).ifPresent(message -> {
            for (IoLoop loop : loops) {
                loop.execute(() -> loop.forEachConnection(c -> c.event(message)));
            }
        });
    }

    private static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing a refused client: {}", e.getMessage());
        }
    }

    /**
     * Configuration of a {@link QmpServer}. Every setting has a default (the {@code *_DEFAULT}
     * constants, which the daemon's {@code reference.conf} repeats under {@code vnetd.qmp}) except the
     * endpoints and the network service. Setters return the context, for chaining;
     * {@link #conclude()} checks the settings and fills in derived defaults, as every vnetd context
     * does (see the README's Configuration).
     */
    public static final class Context {

        /** Default number of I/O threads: one selector serves many clients. */
        public static final int IO_THREADS_DEFAULT = 1;
        /** Default limit of simultaneously connected clients (over all endpoints). */
        public static final int MAX_CONNECTIONS_DEFAULT = 256;
        /** Default size limit of one JSON token, and of one JSON text (QEMU: 64 MiB). */
        public static final int MAX_INPUT_BYTES_DEFAULT = 1 << 20;
        /** Default limit of tokens in one JSON text (QEMU: 2 Mi). */
        public static final int MAX_INPUT_TOKENS_DEFAULT = 1 << 16;
        /** Default limit of open brackets and braces in one JSON text (QEMU's). */
        public static final int MAX_INPUT_NESTING_DEFAULT = 1024;
        /**
         * Default number of requests of one session waiting or executing before its input is
         * suspended (QEMU's {@code QMP_REQ_QUEUE_LEN_MAX}).
         */
        public static final int MAX_PENDING_REQUESTS_DEFAULT = 8;
        /** Default bound of a client's unsent output; past it the client is disconnected. */
        public static final int MAX_OUTPUT_QUEUE_BYTES_DEFAULT = 1 << 20;
        /** Default QEMU version whose QMP API vnetd reports: the API level of its schema. */
        public static final VersionInfo.VersionTriple QEMU_VERSION_DEFAULT = new VersionInfo.VersionTriple(9, 1, 0);
        /** Default vnetd version: the one this module was built as. */
        public static final String VNETD_VERSION_DEFAULT = buildVersion();

        private final List<QmpEndpoint> endpoints = new ArrayList<>();
        private NetworkService networkService;
        private CommandOutcomes commandOutcomes = CommandOutcomes.NONE;
        private Schema schema;
        private Set<String> schemaConditions;
        private int ioThreads = IO_THREADS_DEFAULT;
        private int maxConnections = MAX_CONNECTIONS_DEFAULT;
        private int maxInputBytes = MAX_INPUT_BYTES_DEFAULT;
        private int maxInputTokens = MAX_INPUT_TOKENS_DEFAULT;
        private int maxInputNesting = MAX_INPUT_NESTING_DEFAULT;
        private int maxPendingRequests = MAX_PENDING_REQUESTS_DEFAULT;
        private int maxOutputQueueBytes = MAX_OUTPUT_QUEUE_BYTES_DEFAULT;
        private VersionInfo.VersionTriple qemuVersion = QEMU_VERSION_DEFAULT;
        private String vnetdVersion = VNETD_VERSION_DEFAULT;
        private boolean concluded;

        /**
         * Checks the settings, derives what was left to defaults (the schema) and marks the context as
         * taken: {@link QmpServer#start} concludes it, and a context configures one server.
         *
         * @throws IllegalArgumentException naming the first invalid setting
         * @throws IllegalStateException    if concluded already
         */
        public Context conclude() {
            if (concluded) {
                throw new IllegalStateException("QMP server: context already concluded: give each server its own");
            }
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("QMP server: no endpoint configured");
            }
            if (endpoints.size() != Set.copyOf(endpoints).size()) {
                throw new IllegalArgumentException("QMP server: an endpoint is configured twice: " + endpoints);
            }
            if (networkService == null) {
                throw new IllegalArgumentException("QMP server: no network service");
            }
            positive("ioThreads", ioThreads);
            positive("maxConnections", maxConnections);
            positive("maxInputBytes", maxInputBytes);
            positive("maxInputTokens", maxInputTokens);
            positive("maxInputNesting", maxInputNesting);
            positive("maxPendingRequests", maxPendingRequests);
            positive("maxOutputQueueBytes", maxOutputQueueBytes);
            if (vnetdVersion == null || vnetdVersion.isBlank()) {
                throw new IllegalArgumentException("QMP server: vnetdVersion must not be blank");
            }
            if (schema == null) {
                schema = Schema.load(schemaConditions());
            }
            concluded = true;
            return this;
        }

        private static void positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException("QMP server: " + name + " must be positive, not " + value);
            }
        }

        /** Adds an endpoint to listen on. No default: at least one is required. */
        public Context endpoint(QmpEndpoint endpoint) {
            endpoints.add(endpoint);
            return this;
        }

        public List<QmpEndpoint> endpoints() {
            return List.copyOf(endpoints);
        }

        /** The control plane commands go to. No default: required. */
        public Context networkService(NetworkService networkService) {
            this.networkService = networkService;
            return this;
        }

        public NetworkService networkService() {
            return networkService;
        }

        /** Told of every answer, for counting. Default: {@link CommandOutcomes#NONE}. */
        public Context commandOutcomes(CommandOutcomes commandOutcomes) {
            this.commandOutcomes = Objects.requireNonNull(commandOutcomes, "commandOutcomes");
            return this;
        }

        public CommandOutcomes commandOutcomes() {
            return commandOutcomes;
        }

        /** The API. Default: vnetd's schema evaluated against {@link #schemaConditions()}. */
        public Context schema(Schema schema) {
            this.schema = schema;
            return this;
        }

        public Schema schema() {
            return schema;
        }

        /** The symbols QAPI {@code 'if'} conditions are evaluated against. Default: {@link HostConditions#detect()}. */
        public Context schemaConditions(Set<String> schemaConditions) {
            this.schemaConditions = Set.copyOf(schemaConditions);
            return this;
        }

        public Set<String> schemaConditions() {
            return schemaConditions != null ? schemaConditions : HostConditions.detect();
        }

        /** See {@link #IO_THREADS_DEFAULT}. */
        public Context ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public int ioThreads() {
            return ioThreads;
        }

        /** See {@link #MAX_CONNECTIONS_DEFAULT}. */
        public Context maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public int maxConnections() {
            return maxConnections;
        }

        /** See {@link #MAX_INPUT_BYTES_DEFAULT}. */
        public Context maxInputBytes(int maxInputBytes) {
            this.maxInputBytes = maxInputBytes;
            return this;
        }

        public int maxInputBytes() {
            return maxInputBytes;
        }

        /** See {@link #MAX_INPUT_TOKENS_DEFAULT}. */
        public Context maxInputTokens(int maxInputTokens) {
            this.maxInputTokens = maxInputTokens;
            return this;
        }

        public int maxInputTokens() {
            return maxInputTokens;
        }

        /** See {@link #MAX_INPUT_NESTING_DEFAULT}. */
        public Context maxInputNesting(int maxInputNesting) {
            this.maxInputNesting = maxInputNesting;
            return this;
        }

        public int maxInputNesting() {
            return maxInputNesting;
        }

        /** See {@link #MAX_PENDING_REQUESTS_DEFAULT}. */
        public Context maxPendingRequests(int maxPendingRequests) {
            this.maxPendingRequests = maxPendingRequests;
            return this;
        }

        public int maxPendingRequests() {
            return maxPendingRequests;
        }

        /**
         * See {@link #MAX_OUTPUT_QUEUE_BYTES_DEFAULT}. Must exceed the largest response
         * ({@code query-qmp-schema}) for a slow reader to get it.
         */
        public Context maxOutputQueueBytes(int maxOutputQueueBytes) {
            this.maxOutputQueueBytes = maxOutputQueueBytes;
            return this;
        }

        public int maxOutputQueueBytes() {
            return maxOutputQueueBytes;
        }

        /** See {@link #QEMU_VERSION_DEFAULT}. */
        public Context qemuVersion(int major, int minor, int micro) {
            this.qemuVersion = new VersionInfo.VersionTriple(major, minor, micro);
            return this;
        }

        public VersionInfo.VersionTriple qemuVersion() {
            return qemuVersion;
        }

        /** Reported as the {@code package} "vnetd VERSION". See {@link #VNETD_VERSION_DEFAULT}. */
        public Context vnetdVersion(String vnetdVersion) {
            this.vnetdVersion = vnetdVersion;
            return this;
        }

        public String vnetdVersion() {
            return vnetdVersion;
        }

        private static String buildVersion() {
            try (InputStream in = QmpServer.class.getResourceAsStream("/io/vnetd/qmp/version.properties")) {
                Properties properties = new Properties();
                if (in != null) {
                    properties.load(in);
                }
                return properties.getProperty("version", "unknown");
            } catch (IOException e) {
                return "unknown";
            }
        }
    }
}
