package io.tunefleet.worker.runtime;

/** How {@code sglang}, {@code vllm} and configured engines are started on this worker. */
public enum EngineLaunch {
    /** A process group on the host ({@link ProcessRuntime}). */
    PROCESS,
    /** A container per experiment ({@link DockerRuntime}). */
    DOCKER
}
