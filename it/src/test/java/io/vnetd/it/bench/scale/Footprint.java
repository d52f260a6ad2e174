package io.vnetd.it.bench.scale;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The memory a process holds: its anonymous resident set ({@code RssAnon}: what it holds itself; {@code VmRSS} also
 * counts the file pages it maps, such as vnetd's LMDB journal, which the kernel drops when it needs the memory) and,
 * for a JVM, its heap in use after a full GC (the live objects: the RSS also counts what the JVM keeps committed,
 * which G1 sizes from what is live), in KB.
 *
 * @param heapKb {@link #NO_HEAP} for a process that is not a JVM
 */
record Footprint(long rssKb, long heapKb) {

    static final long NO_HEAP = -1;

    private static final Pattern RSS_ANON = Pattern.compile("(?m)^RssAnon:\\s+(\\d+) kB$");
    private static final Pattern HEAP_USED = Pattern.compile("used (\\d+)K");
    private static final Duration JCMD_TIMEOUT = Duration.ofSeconds(60);
    /** After the GC, for the JVM to hand back what it uncommitted. */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    /** Forces a full GC in {@code jvm} first, with jcmd of the JDK that runs these tests (and the daemon). */
    static Footprint ofJvm(ProcessHandle jvm) throws IOException, InterruptedException {
        jcmd(jvm, "GC.run");
        Thread.sleep(SETTLE);
        Matcher used = HEAP_USED.matcher(jcmd(jvm, "GC.heap_info"));
        if (!used.find()) {
            throw new IllegalStateException("no heap in use in jcmd " + jvm.pid() + " GC.heap_info");
        }
        return new Footprint(rssKb(jvm), Long.parseLong(used.group(1)));
    }

    static Footprint ofProcess(ProcessHandle process) throws IOException {
        return new Footprint(rssKb(process), NO_HEAP);
    }

    private static long rssKb(ProcessHandle process) throws IOException {
        Matcher rss = RSS_ANON.matcher(Files.readString(Path.of("/proc", Long.toString(process.pid()), "status")));
        if (!rss.find()) {
            throw new IllegalStateException("no RssAnon in /proc/" + process.pid() + "/status");
        }
        return Long.parseLong(rss.group(1));
    }

    private static String jcmd(ProcessHandle jvm, String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), Long.toString(jvm.pid()), command).redirectErrorStream(true)
                .start();
        if (!p.waitFor(JCMD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("jcmd " + jvm.pid() + " " + command + " took over " + JCMD_TIMEOUT);
        }
        // Its output is a few lines, which the pipe held while it ran.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + jvm.pid() + " " + command + " failed: " + out);
        }
        return out;
    }
}
