package io.vnetd.actors.directory;

import io.vnetd.model.JsonSerializable;
import io.vnetd.model.error.ErrorClass;
import io.vnetd.model.error.NetException;
import io.vnetd.model.nic.RxFilterInfo;
import java.util.List;

/** The directory's answer to a request: sent once every entity involved has journaled its part. */
public sealed interface DirectoryReply extends JsonSerializable {

    record Ok() implements DirectoryReply {
    }

    record RxFilters(List<RxFilterInfo> filters) implements DirectoryReply {
    }

    record Failed(ErrorClass errorClass, String desc) implements DirectoryReply {
        static Failed of(NetException e) {
            return new Failed(e.errorClass(), e.desc());
        }

        NetException toException() {
            return new NetException(errorClass, desc);
        }
    }
}
