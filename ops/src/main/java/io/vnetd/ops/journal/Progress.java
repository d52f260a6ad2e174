package io.vnetd.ops.journal;

import java.io.PrintStream;
import java.util.concurrent.TimeUnit;

/**
 * A long operation's progress, on one line of the terminal that is rewritten in place ({@code stats: 41000/100000
 * entities}) and cleared at the end. Shown only when standard output is a terminal: piped or redirected output, and
 * the tests that read it, see none of it. Written to standard error so that it never mixes with what is printed.
 */
final class Progress implements AutoCloseable {

    private static final long INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final String label;
    private final long total;
    private final PrintStream terminal;
    private long done;
    private long shownAt;
    private boolean shown;

    private Progress(String label, long total, PrintStream terminal) {
        this.label = label;
        this.total = total;
        this.terminal = terminal;
        this.shownAt = System.nanoTime();
    }

    /** Progress over {@code total} items, shown only on a terminal. */
    static Progress of(String label, long total) {
        return new Progress(label, total, System.console() != null && System.console().isTerminal() ? System.err : null);
    }

    /** One more item done. */
    void step() {
        done++;
        if (terminal != null && System.nanoTime() - shownAt > INTERVAL_NS) {
            shownAt = System.nanoTime();
            shown = true;
            terminal.print("\r" + label + ": " + done + "/" + total);
            terminal.flush();
        }
    }

    @Override
    public void close() {
        if (shown) {
            terminal.print("\r\033[K");
            terminal.flush();
        }
    }
}
