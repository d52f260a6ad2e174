package io.vnetd.ops.launcher;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.vnetd.ops.journal.JournalCommand;
import io.vnetd.ops.node.DataDirectory;
import io.vnetd.ops.node.StartupException;
import io.vnetd.ops.node.UserConfig;
import io.vnetd.ops.node.VnetdNode;
import io.vnetd.ops.shell.ShellCommand;
import io.vnetd.ops.topology.TopologyCommand;
import io.vnetd.ops.systemd.SystemdNotifier;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import sun.misc.Signal;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vnetd}: runs one node until SIGTERM or SIGINT. */
@Command(name = "vnetd", mixinStandardHelpOptions = true, versionProvider = VnetdMain.Version.class,
        description = "QEMU's networking layer as a durable service: QMP in, frames through.",
        subcommands = {JournalCommand.class, ShellCommand.class, TopologyCommand.class})
public final class VnetdMain implements Callable<Integer> {

    @Option(names = "--data-dir", paramLabel = "DIR", description = "journal, QMP socket and log (default: ./var)")
    Path dataDir;

    @Option(names = "--qmp", paramLabel = "unix:PATH|tcp:HOST:PORT",
            description = "a QMP endpoint; repeatable (default: unix:DIR/qmp.sock)")
    List<String> qmp = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = "HOCON configuration (see reference.conf)")
    Path configFile;

    @Option(names = "-netdev", paramLabel = "TYPE,id=ID,...",
            description = "a netdev, as QEMU's -netdev; created at start unless the journal has it as given; repeatable")
    List<String> netdevs = new ArrayList<>();

    @Option(names = "-device", paramLabel = "DRIVER,id=ID,netdev=ID,...",
            description = "a NIC, as QEMU's -device; created at start unless the journal has it as given; repeatable")
    List<String> devices = new ArrayList<>();

    private final PrintStream out;

    VnetdMain(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) {
        System.setProperty("config.override_with_env_vars", "true");
        CommandLine commandLine = new CommandLine(new VnetdMain(System.out))
                .setExecutionExceptionHandler((e, line, parsed) -> {
                    System.err.println("vnetd: " + oneLine(e));
                    return 1;
                });
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call() throws InterruptedException, IOException {
        Config userFile = UserConfig.load(configFile);
        DataDirectory data = UserConfig.dataDirectory(dataDir, userFile).prepare();
        FileLock held = data.lock();
        // Before the first logger exists: the log lives in the data directory.
        System.setProperty("vnetd.log.file", data.logFile().toString());
        LoggerFactory.getILoggerFactory();

        Config overrides = ConfigFactory.empty();
        if (!qmp.isEmpty()) {
            overrides = overrides.withValue("vnetd.qmp.endpoints", ConfigValueFactory.fromIterable(qmp));
        }
        Config config = VnetdNode.loadConfig(overrides, userFile, data);

        // SIGTERM and SIGINT ask for an orderly stop, which ends with exit status 0.
        CountDownLatch stopRequested = new CountDownLatch(1);
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), received -> stopRequested.countDown());
        }
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid());
        try (VnetdNode node = VnetdNode.start(config, data, netdevs, devices)) {
            List<String> serving = new ArrayList<>(node.qmpEndpoints());
            node.metricsUrl().ifPresent(url -> serving.add("metrics " + url));
            String endpoints = String.join(", ", serving);
            out.println("vnetd ready: " + endpoints);
            out.flush();
            // No count of the net clients: it would cost a listing at every start (a second at 100,000).
            systemd.ready("serving " + endpoints);
            systemd.keepAliveWhile(node::responsive);
            AtomicBoolean removed = new AtomicBoolean();
            node.whenRemoved().thenRun(() -> {
                removed.set(stopRequested.getCount() > 0);
                stopRequested.countDown();
            });
            stopRequested.await();
            systemd.stopping();
            if (removed.get()) {
                // Never a zombie: a node the others have downed stops, and its supervisor starts it afresh.
                System.err.println("vnetd: the cluster removed this node (unreachable for too long); stopping");
                return 1;
            }
        } finally {
            held.release();
        }
        return 0;
    }

    private static String oneLine(Exception e) {
        String message = e instanceof StartupException || e.getMessage() != null ? e.getMessage() : e.toString();
        return message.replace('\n', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"vnetd " + VnetdNode.version()};
        }
    }
}
