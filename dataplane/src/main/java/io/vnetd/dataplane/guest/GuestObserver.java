package io.vnetd.dataplane.guest;

import io.vnetd.model.nic.RxFilter;
import java.util.concurrent.CompletionStage;

/** Where a NIC's guest side reports the filter its guest asks for: the control plane, which journals it. */
@FunctionalInterface
public interface GuestObserver {

    /**
     * NIC {@code nic}'s guest asks for {@code filter} now. Called from an I/O agent: must not block.
     *
     * @return completes once the NIC has taken it; a failure has the guest side report it again
     */
    CompletionStage<?> observed(String nic, RxFilter filter);
}
