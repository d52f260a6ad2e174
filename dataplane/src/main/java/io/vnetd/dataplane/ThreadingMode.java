package io.vnetd.dataplane;

/** How the data plane's agents are spread over threads (Aeron's threading modes). */
public enum ThreadingMode {
    /** The switching agent and each I/O agent on a thread of its own: the most throughput, a core each when busy. */
    DEDICATED,
    /**
     * Every agent on one thread, in turn: frames cross no thread on their way through the node, which
     * suits a node with few cores or little traffic. A backend's frames go into the switch as they are
     * read and a stream connection takes those delivered to it as they are switched, without the rings
     * in between (NIC guest sides and injected frames still use the inbound ring).
     */
    SHARED
}
