package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Measurement;

/**
 * What the clients of one kind added to a server's footprint, and how they were built: in two halves, with a footprint
 * read after each, so that beside the cost of each client over the whole build (which also carries what the first
 * commands of a kind cost once: code compiled for them, classes loaded, shards started) there is the cost of each
 * client of the second half, which is what one more client costs.
 */
record Growth(String kind, Measurement firstHalf, Measurement secondHalf, Footprint before, Footprint middle,
              Footprint after) {

    long commands() {
        return firstHalf.commands() + secondHalf.commands();
    }

    double perSecond() {
        return commands() / (firstHalf.seconds() + secondHalf.seconds());
    }

    double rssKbEach() {
        return (double) (after.rssKb() - before.rssKb()) / commands();
    }

    /** The RSS each client of the second half added. */
    double rssKbEachMore() {
        return (double) (after.rssKb() - middle.rssKb()) / secondHalf.commands();
    }

    /** {@link Double#NaN} for a server without a heap to read. */
    double heapKbEach() {
        return after.heapKb() == Footprint.NO_HEAP ? Double.NaN
                : (double) (after.heapKb() - before.heapKb()) / commands();
    }

    String describe() {
        String heap = Double.isNaN(heapKbEach()) ? ""
                : String.format("; heap in use %,d -> %,d KB, %.2f KB each", before.heapKb(), after.heapKb(),
                heapKbEach());
        return String.format("%,d %s built at %,.0f/s: RSS %,d -> %,d -> %,d KB, %.2f KB each, %.2f KB each of the"
                        + " second half%s", commands(), kind, perSecond(), before.rssKb(), middle.rssKb(),
                after.rssKb(), rssKbEach(), rssKbEachMore(), heap);
    }
}
