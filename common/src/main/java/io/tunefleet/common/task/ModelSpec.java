package io.tunefleet.common.task;

/** The model to serve: a local path or a hub id. */
public record ModelSpec(String idOrPath) {
}
