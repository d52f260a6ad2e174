package io.vnetd.model.service;

import io.vnetd.model.announce.AnnounceParameters;
import io.vnetd.model.error.NetException;
import io.vnetd.model.netdev.NetdevConfig;
import io.vnetd.model.nic.GuestControl;
import io.vnetd.model.nic.NicRequest;
import io.vnetd.model.nic.RxFilterInfo;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * The control plane as a QMP gateway (or any other client) sees it. Every stage completes only after
 * the change is durable in the journal; a refused command completes exceptionally with a
 * {@link NetException} and has changed nothing.
 */
public interface NetworkService {

    /**
     * {@code netdev_add}: checks its rules in QEMU's order ({@link io.vnetd.model.netdev.NetdevRules}
     * first, so a {@link NetdevConfig.Unsupported} is refused there), acquires the backend's resource,
     * journals, then completes. The netdev lives on {@code node} (a cluster member's name, QMP's
     * {@code __io.vnetd_node}), or else on the node that serves the request.
     */
    CompletionStage<Void> netdevAdd(NetdevConfig config, Optional<String> node);

    /** {@code netdev_del}. */
    CompletionStage<Void> netdevDel(String id);

    /** {@code set_link} on a netdev or a NIC. */
    CompletionStage<Void> setLink(String name, boolean up);

    /** {@code device_add} of a NIC. */
    CompletionStage<Void> deviceAdd(NicRequest request);

    /**
     * A netdev from the command line ({@code -netdev}): created unless it exists as given; one that
     * exists with another configuration is refused, naming it.
     */
    CompletionStage<Void> declareNetdev(NetdevConfig config);

    /** A NIC from the command line ({@code -device}), as {@link #declareNetdev}. */
    CompletionStage<Void> declareDevice(NicRequest request);

    /** {@code device_del} of a NIC, by device id or QOM path. */
    CompletionStage<Void> deviceDel(String device);

    /** {@code query-rx-filter}: reading a NIC's filter re-arms its {@code NIC_RX_FILTER_CHANGED}. */
    CompletionStage<List<RxFilterInfo>> queryRxFilter(Optional<String> name);

    /** A control message from a NIC's guest side (virtio-net's control queue). */
    CompletionStage<Void> guestControl(String nic, GuestControl control);

    /** {@code announce-self}: (re)starts the timer of that id; round 1 goes out at once. */
    CompletionStage<Void> announceSelf(AnnounceParameters params);

    /** Every net client and hub, for {@code info network} and the net-client listing. */
    CompletionStage<NetworkView> queryNetwork();

    /** The cluster's vnetd nodes ({@code __io.vnetd_query-cluster}); a single node lists itself. */
    CompletionStage<List<ClusterMember>> queryCluster();

    /** Registers a listener for events; it is called from arbitrary threads and must not block. */
    void subscribe(Consumer<NetEvent> listener);
}
