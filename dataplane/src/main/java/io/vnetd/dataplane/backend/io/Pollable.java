package io.vnetd.dataplane.backend.io;

/** Handles readiness of a descriptor registered with an {@link EventLoop}. Agent thread only. */
@FunctionalInterface
public interface Pollable {

    /**
     * The descriptor is ready: {@code events} holds {@code EPOLLIN}, {@code EPOLLOUT},
     * {@code EPOLLERR}, {@code EPOLLHUP} as epoll reported them.
     *
     * @return the work done (frames or connections), 0 for none
     */
    int onReady(int events);
}
