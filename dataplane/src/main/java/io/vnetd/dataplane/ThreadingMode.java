package io.vnetd.dataplane;

/** How the data plane's agents are spread over threads (Aeron's threading modes). */
public enum ThreadingMode {
    /** The switching agent and each I/O agent on a thread of its own: the most throughput, a core each when busy. */
    DEDICATED,
    /**
     * Every agent on one thread, in turn: frames cross no thread on their way through the node, which
     * suits a node with few cores or little traffic.
     */
    SHARED
}
