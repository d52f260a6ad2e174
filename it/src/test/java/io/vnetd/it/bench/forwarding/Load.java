package io.vnetd.it.bench.forwarding;

import java.time.Duration;

/** A closed-loop frame generator: sends frames into a forwarder and counts what comes out. */
interface Load extends AutoCloseable {

    /** Frames of this many bytes, with at most {@code window} in flight. */
    Result run(Duration duration);

    @Override
    void close();

    /**
     * One run: frames received while it lasted, over how long; frames lost (never came back) and
     * frames that came back wrong (length, header or order).
     */
    record Result(long frames, double seconds, long lost, long bad) {
        double framesPerSecond() {
            return frames / seconds;
        }
    }
}
