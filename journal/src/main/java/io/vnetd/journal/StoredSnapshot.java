package io.vnetd.journal;

/**
 * One snapshot as stored: {@code bytes} is a Pekko Snapshot serialized by the serializer {@code serializerId}.
 * The array is owned by the record; nobody changes it.
 */
public record StoredSnapshot(String persistenceId, long sequenceNr, long timestamp, int serializerId, byte[] bytes) {}
