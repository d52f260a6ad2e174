package io.vnetd.actors.directory;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.RxFilterInfo;
import java.util.List;

/** The directory's answer to a request: sent once every entity involved has journaled its part. */
public sealed interface DirectoryReply extends JsonSerializable {

    record Ok() implements DirectoryReply {
    }

    record RxFilters(List<RxFilterInfo> filters) implements DirectoryReply {
    }

    /** The request was refused: the error as raised, by an entity or by the directory's rules. */
    record Failed(NetException error) implements DirectoryReply {
    }
}
