package io.vnetd.it.support;

import io.vnetd.it.interop.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * One throw-away PostgreSQL server for the whole test run: initialized in a temporary directory, listening on a free
 * loopback port, with trust authentication for the superuser {@value #USER}; stopped and removed when the JVM exits.
 * Each test takes a database of its own. The server refuses to run as root, so as root it runs as the {@code postgres}
 * user that Debian's package creates. Tests that need it are skipped when no PostgreSQL is installed
 * ({@code bin/install-test-deps} installs it).
 */
public final class PostgresServer {

    public static final String USER = "vnetd";
    private static final long COMMAND_SECONDS = 60;
    private static PostgresServer shared;

    private final Path dir;
    private final Path bin;
    private final int port;
    private final AtomicInteger databases = new AtomicInteger();

    private PostgresServer(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    /** The run's server, started on first use. */
    public static synchronized PostgresServer shared() {
        if (shared == null) {
            Optional<Path> bin = installation();
            Assumptions.assumeTrue(bin.isPresent(), "PostgreSQL is not installed (bin/install-test-deps installs it)");
            shared = start(bin.get());
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "postgres-stop"));
        }
        return shared;
    }

    /** A new, empty database; its address in the journal tools' form is {@link #journalSpec}. */
    public String createDatabase(String prefix) {
        String name = prefix + "_" + databases.incrementAndGet();
        try (Connection connection = DriverManager.getConnection(jdbcUrl("postgres"), USER, "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + name + ": " + e.getMessage(), e);
        }
        return name;
    }

    public String journalSpec(String database) {
        return "postgres://" + USER + "@127.0.0.1:" + port + "/" + database;
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    public int port() {
        return port;
    }

    private static Optional<Path> installation() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.naturalOrder());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static PostgresServer start(Path bin) {
        try {
            Path dir = Files.createTempDirectory("vnetd-postgres");
            PostgresServer server = new PostgresServer(bin, dir, Ports.tcp());
            if (isRoot()) {
                run(List.of("chown", "postgres:postgres", dir.toString()));
            }
            server.asServerUser(List.of(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(),
                    "-A", "trust", "-U", USER, "--no-sync"));
            server.asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w",
                    "-o", "-p " + server.port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=on",
                    "-l", dir.resolve("log").toString(), "start"));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    private void stop() {
        try {
            asServerUser(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-w",
                    "-m", "fast", "stop"));
        } catch (RuntimeException e) {
            System.err.println("PostgreSQL did not stop: " + e.getMessage());
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            System.err.println("cannot remove " + dir + ": " + e.getMessage());
        }
    }

    private void asServerUser(List<String> command) {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        run(full);
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static void run(List<String> command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " did not finish in " + COMMAND_SECONDS + " s");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed: " + new String(output));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
