package io.vnetd.it.tap;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The host around tap tests: commands (each bounded in time), network namespaces and interfaces,
 * all named with the prefix "vt" by the tests, and removed by them.
 */
public final class Host {

    /** What a command printed and how it ended. */
    public record Result(int status, String output) {
        public boolean ok() {
            return status == 0;
        }
    }

    private Host() {
    }

    /** Skips the test unless taps, namespaces and ping are available (root, iproute2, iputils-ping). */
    public static void assumeTapsAndNamespaces() {
        assumeTrue(Files.isWritable(Path.of("/dev/net/tun")), "needs root and /dev/net/tun");
        assumeTrue(run("ip", "netns", "list").ok(), "needs iproute2 (bin/install-test-deps)");
        assumeTrue(run("ping", "-V").ok(), "needs ping (bin/install-test-deps)");
    }

    /** Runs a command for at most 20 s. */
    public static Result run(String... command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command));
            }
            return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Runs a command that must succeed. */
    public static void must(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new AssertionError(String.join(" ", command) + " failed (" + r.status() + "): " + r.output());
        }
    }

    /** Runs a command inside namespace {@code ns}. */
    public static Result in(String ns, String... command) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        full.addAll(Arrays.asList(command));
        return run(full.toArray(String[]::new));
    }

    public static boolean interfaceExists(String ifname) {
        return Files.exists(Path.of("/sys/class/net", ifname));
    }

    /** Moves interface {@code ifname} into {@code ns}, gives it {@code cidr} and brings it up. */
    public static void moveAndAddress(String ifname, String ns, String cidr) {
        must("ip", "link", "set", ifname, "netns", ns);
        must("ip", "-n", ns, "addr", "add", cidr, "dev", ifname);
        must("ip", "-n", ns, "link", "set", ifname, "up");
        must("ip", "-n", ns, "link", "set", "lo", "up");
    }

    /** Whether a ping from {@code ns} to {@code address} gets an answer, trying up to {@code attempts} times. */
    public static boolean ping(String ns, String address, int attempts) {
        for (int i = 0; i < attempts; i++) {
            if (in(ns, "ping", "-c", "1", "-W", "1", address).ok()) {
                return true;
            }
        }
        return false;
    }

    /** Waits up to {@code seconds} for {@code condition}. */
    public static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(100);
        }
        return true;
    }

    /** Removes namespaces and interfaces by name, whichever exist. */
    public static void remove(List<String> namespaces, List<String> interfaces) {
        for (String ns : namespaces) {
            run("ip", "netns", "delete", ns);
        }
        for (String ifname : interfaces) {
            if (interfaceExists(ifname)) {
                run("ip", "link", "delete", ifname);
            }
        }
    }
}
