package io.vnetd.qmp.schema;

import java.util.List;

/**
 * A QMP command.
 *
 * @param argType  the arguments' object type (the empty type if it takes none)
 * @param retType  the type of its {@code return} (the empty type if it returns nothing)
 * @param boxed    whether the arguments are a named type passed as a whole ({@code netdev_add})
 * @param generated false for QAPI's {@code 'gen': false}: the schema documents the arguments but the
 *     command takes whatever object it is given and checks it itself
 * @param allowOob whether it may run out of band
 */
public record Command(String name, String argType, String retType, boolean boxed, boolean generated,
                      boolean allowOob, List<String> features, Doc doc)
        implements SchemaEntity {

    public Command {
        features = List.copyOf(features);
    }
}
