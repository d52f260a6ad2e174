package io.vnetd.model.service;

/** Where entities announce events: to every QMP session of every node. Never blocks. */
@FunctionalInterface
public interface NetEventPublisher {
    void publish(NetEvent event);
}
