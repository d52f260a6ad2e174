package io.vnetd.it.bench.forwarding;

import java.time.Duration;

/**
 * A closed-loop frame generator: sends frames into a forwarder, at most a window of them not yet back,
 * and counts what comes out.
 */
interface Load extends AutoCloseable {

    /** Sends for {@code duration}, then waits (bounded) for the frames still on their way. */
    Result run(Duration duration);

    @Override
    void close();

    /**
     * One run: the frames that came back while it lasted, over how long; the frames that never came
     * back; and the frames that came back altered (length or header) or, on a stream, out of order.
     */
    record Result(long frames, double seconds, long lost, long bad) {
        double framesPerSecond() {
            return frames / seconds;
        }
    }
}
