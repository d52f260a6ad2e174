package io.vnetd.it.bench.scale;

import io.vnetd.it.bench.control.Measurement;

/** What the clients of one kind added to a server's footprint, and how they were built. */
record Growth(String kind, Measurement build, Footprint before, Footprint after) {

    double rssKbEach() {
        return (double) (after.rssKb() - before.rssKb()) / build.commands();
    }

    /** {@link Double#NaN} for a server without a heap to read. */
    double heapKbEach() {
        return after.heapKb() == Footprint.NO_HEAP ? Double.NaN
                : (double) (after.heapKb() - before.heapKb()) / build.commands();
    }

    String describe() {
        String heap = Double.isNaN(heapKbEach()) ? ""
                : String.format("; heap in use %,d -> %,d KB, %.2f KB each", before.heapKb(), after.heapKb(),
                heapKbEach());
        return String.format("%,d %s built at %,.0f/s: RSS %,d -> %,d KB, %.2f KB each%s", build.commands(), kind,
                build.perSecond(), before.rssKb(), after.rssKb(), rssKbEach(), heap);
    }
}
