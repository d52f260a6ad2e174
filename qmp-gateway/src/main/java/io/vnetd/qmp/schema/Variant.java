package io.vnetd.qmp.schema;

/** A branch of a union (named after a discriminator value) or of an alternate. */
public record Variant(String name, String type) {
}
