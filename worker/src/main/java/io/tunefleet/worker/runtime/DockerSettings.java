package io.tunefleet.worker.runtime;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * How the docker runtime runs engines on this host.
 *
 * @param workerId          this worker's id, put on every container as {@code tunefleet.worker}; the
 *                          orphan reaper removes this worker's containers that no live experiment owns
 * @param dockerHost        the Docker engine, e.g. {@code unix:///var/run/docker.sock}
 * @param images            image repository by runtime name; the job's image tag is appended
 * @param gpuDeviceRequests ask for the reserved GPUs by index (driver {@code nvidia}); false only where
 *                          there is no GPU runtime, as in tests
 * @param pullImages        pull an image that is absent; when false an absent image fails the experiment
 * @param pullTimeout       how long a pull may take
 * @param binds             extra {@code host:container[:ro]} mounts for every engine container
 * @param huggingFaceCache  mounted at {@code /root/.cache/huggingface} when the model is a hub id
 *                          (a model given as an absolute path is mounted read-only at that path instead)
 */
public record DockerSettings(String workerId, String dockerHost, Map<String, String> images,
                             boolean gpuDeviceRequests, boolean pullImages, Duration pullTimeout, List<String> binds,
                             Path huggingFaceCache) {

    public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
    public static final Map<String, String> DEFAULT_IMAGES = Map.of("sglang", "lmsysorg/sglang", "vllm",
            "vllm/vllm-openai");
    public static final Duration DEFAULT_PULL_TIMEOUT = Duration.ofMinutes(30);

    public DockerSettings {
        if (workerId == null || workerId.isBlank()) {
            throw new IllegalArgumentException("the docker runtime needs the worker id for its labels");
        }
        images = Map.copyOf(images);
        binds = List.copyOf(binds);
        if (pullTimeout == null || pullTimeout.isNegative() || pullTimeout.isZero()) {
            throw new IllegalArgumentException("docker pull timeout must be positive, got " + pullTimeout);
        }
    }

    /** Defaults for one worker: the local engine, the sglang and vllm images, GPUs requested, pulls allowed. */
    public static DockerSettings defaults(String workerId) {
        return new DockerSettings(workerId, DEFAULT_DOCKER_HOST, DEFAULT_IMAGES, true, true, DEFAULT_PULL_TIMEOUT,
                List.of(), Path.of(System.getProperty("user.home"), ".cache", "huggingface"));
    }

    /** The image of a runtime with the job's tag, or null when the runtime has no image. */
    String image(String runtime, String tag) {
        String repository = images.get(runtime);
        if (repository == null) {
            return null;
        }
        return repository + ":" + (tag == null || tag.isBlank() ? "latest" : tag);
    }
}
