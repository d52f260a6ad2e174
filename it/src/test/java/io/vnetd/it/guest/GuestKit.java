package io.vnetd.it.guest;

import static org.junit.jupiter.api.Assumptions.abort;

import io.vnetd.it.interop.Qemu;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The Linux guest the tests boot: Debian's kernel and a busybox initramfs that {@code bin/guest-kit}
 * builds from Debian packages and caches under the build directory. Built at most once per test JVM;
 * where it cannot be built (no QEMU, no path to Debian's archive, no cpio) every test asking for it is
 * skipped with the script's reason.
 */
record GuestKit(Path kernel, Path initramfs, String versions) {

    /** Downloading and unpacking Debian's kernel package takes seconds here; a slow mirror gets minutes. */
    private static final long BUILD_TIMEOUT_SECONDS = 600;

    private static GuestKit built;
    private static String whyNot;

    /** The kit, built on first use; aborts the calling test (skipped, with the reason) if it cannot be built. */
    static synchronized GuestKit get() {
        if (built == null && whyNot == null) {
            build();
        }
        if (built == null) {
            abort(whyNot);
        }
        return built;
    }

    private static void build() {
        if (!Qemu.installed()) {
            whyNot = Qemu.missing();
            return;
        }
        Path script = Path.of(System.getProperty("vnetd.guest.kit", "../bin/guest-kit")).toAbsolutePath().normalize();
        try {
            Path log = Files.createTempFile("vnetd-guest-kit-", ".log");
            try {
                Process process = new ProcessBuilder(script.toString(), "build")
                        .redirectOutput(ProcessBuilder.Redirect.PIPE)
                        .redirectError(log.toFile())
                        .start();
                String out;
                try (var stdout = process.getInputStream()) {
                    if (!process.waitFor(BUILD_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        whyNot = "bin/guest-kit did not finish within " + BUILD_TIMEOUT_SECONDS + " s: guest tests skipped";
                        return;
                    }
                    out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8).strip();
                }
                String errors = Files.readString(log).strip();
                if (process.exitValue() != 0) {
                    whyNot = "the guest kit could not be built (" + errors + "): guest tests skipped";
                    return;
                }
                Path dir = Path.of(out);
                built = new GuestKit(dir.resolve("vmlinuz"), dir.resolve("initramfs.cpio.gz"),
                        Files.readString(dir.resolve("versions")).strip());
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            whyNot = "bin/guest-kit could not run (" + e.getMessage() + "): guest tests skipped";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot = "interrupted while bin/guest-kit ran";
        }
    }
}
