package io.vnetd.qmp.json;

/**
 * A value that writes itself, held in a {@link com.fasterxml.jackson.databind.node.POJONode} where a
 * message has it: a long listing goes straight into the output instead of through a tree of its own.
 */
@FunctionalInterface
public interface WritableValue {

    /** Writes the value as {@link QmpJsonWriter} would write its tree. */
    void writeTo(JsonOutput out);
}
