package io.vnetd.model;

/**
 * Marker for every message, event and state that crosses a serialization boundary (journal,
 * snapshot, cluster). Bound to Pekko's {@code jackson-json} serializer in {@code reference.conf}, so
 * the journal holds readable, stable JSON.
 */
public interface JsonSerializable {
}
