package io.vnetd.model.error;

/** QMP's {@code QapiErrorClass}: the only classes a QEMU client ever sees. */
public enum ErrorClass {
    GenericError,
    CommandNotFound,
    DeviceNotActive,
    DeviceNotFound,
    KVMMissingCap
}
