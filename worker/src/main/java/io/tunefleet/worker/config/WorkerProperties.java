package io.tunefleet.worker.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import io.tunefleet.worker.runtime.DockerSettings;
import io.tunefleet.worker.runtime.EngineLaunch;
import io.tunefleet.worker.runtime.RuntimeMode;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings under {@code tunefleet.worker}.
 *
 * @param id                unique worker id in the fleet; blank means host name and process id
 * @param gpus              {@code nvidia-smi} to ask the real GPUs, or {@code sim:N} for N simulated ones
 * @param nvidiaSmi         path of the nvidia-smi binary
 * @param lockDir           directory of the per-GPU lock files shared by all workers of this host
 * @param pollInterval      longest wait between claim passes while nothing changes, and how often queues
 *                          found empty are asked again without an announcement naming them (one
 *                          question to the broker per queue); announcements and freed GPUs wake a pass at once
 * @param heartbeatInterval how often the worker tells the coordinator it is alive
 * @param confirmTimeout    how long to wait for the broker to confirm a claim or a result
 * @param simRunTime        how long an experiment holds its GPUs in {@code hold} mode
 * @param cleanGrace        how long GPUs may take after an experiment to come back clean (no process
 *                          of ours, memory near baseline) before they are quarantined
 * @param chaosDuplicateResults for fault testing only: publish every result twice, as a broker
 *                          redelivery or a network replay would
 * @param runtimeMode       {@code engine}: {@code sim} experiments start the simulated engine as a real
 *                          HTTP server and benchmark it; {@code hold}: they only hold their GPUs for
 *                          {@code sim-run-time} and report model figures (fleet benchmarks)
 * @param enginePorts       ports engines may listen on, {@code first-last}; reserved per host
 * @param portLockDir       directory of the per-port lock files shared by all workers of this host
 * @param engineLogDir      where each experiment's engine output is kept
 * @param engineStopGrace   how long an engine's process group gets after TERM before KILL
 * @param requestTimeout    how long one benchmark request may stay silent before it counts as a timeout
 * @param engines           engines beyond the sglang and vllm presets, by runtime name: an argv list
 *                          with {@code {model}}, {@code {port}} and {@code {gpus}} placeholders
 * @param engineLaunch      how {@code sglang}, {@code vllm} and configured engines start: {@code process}
 *                          (a process group on the host) or {@code docker} (a container per experiment)
 * @param dockerHost        the Docker engine the docker launch talks to
 * @param dockerImages      image repository by runtime name for the docker launch (the job's image tag is
 *                          appended); sglang and vllm have defaults, entries here add or replace
 * @param dockerGpuDeviceRequests request the reserved GPUs by index (driver nvidia); false only on hosts
 *                          without a GPU runtime (tests)
 * @param dockerPull        pull an absent image; when false, an absent image fails the experiment
 * @param dockerBinds       extra {@code host:container[:ro]} mounts for every engine container
 * @param huggingFaceCache  mounted into engine containers when the model is a hub id; default
 *                          {@code ~/.cache/huggingface}
 */
@Validated
@ConfigurationProperties("tunefleet.worker")
public record WorkerProperties(
        @DefaultValue("") String id,
        @DefaultValue(DEFAULT_GPUS) @NotBlank String gpus,
        @DefaultValue(DEFAULT_NVIDIA_SMI) @NotBlank String nvidiaSmi,
        @DefaultValue(DEFAULT_LOCK_DIR) @NotNull Path lockDir,
        @DefaultValue(DEFAULT_POLL_INTERVAL) @NotNull Duration pollInterval,
        @DefaultValue(DEFAULT_HEARTBEAT_INTERVAL) @NotNull Duration heartbeatInterval,
        @DefaultValue(DEFAULT_CONFIRM_TIMEOUT) @NotNull Duration confirmTimeout,
        @DefaultValue(DEFAULT_SIM_RUN_TIME) @NotNull Duration simRunTime,
        @DefaultValue(DEFAULT_CLEAN_GRACE) @NotNull Duration cleanGrace,
        @DefaultValue("false") boolean chaosDuplicateResults,
        @DefaultValue(DEFAULT_RUNTIME_MODE) @NotNull RuntimeMode runtimeMode,
        @DefaultValue(DEFAULT_ENGINE_PORTS) @NotBlank String enginePorts,
        @DefaultValue(DEFAULT_PORT_LOCK_DIR) @NotNull Path portLockDir,
        @DefaultValue(DEFAULT_ENGINE_LOG_DIR) @NotNull Path engineLogDir,
        @DefaultValue(DEFAULT_ENGINE_STOP_GRACE) @NotNull Duration engineStopGrace,
        @DefaultValue(DEFAULT_REQUEST_TIMEOUT) @NotNull Duration requestTimeout,
        Map<String, List<String>> engines,
        @DefaultValue(DEFAULT_ENGINE_LAUNCH) @NotNull EngineLaunch engineLaunch,
        @DefaultValue(DockerSettings.DEFAULT_DOCKER_HOST) @NotBlank String dockerHost,
        Map<String, String> dockerImages,
        @DefaultValue("true") boolean dockerGpuDeviceRequests,
        @DefaultValue("true") boolean dockerPull,
        List<String> dockerBinds,
        Path huggingFaceCache) {

    public static final String DEFAULT_GPUS = "nvidia-smi";
    public static final String DEFAULT_NVIDIA_SMI = "nvidia-smi";
    public static final String DEFAULT_LOCK_DIR = "/tmp/tunefleet-gpu-locks";
    public static final String DEFAULT_POLL_INTERVAL = "1s";
    public static final String DEFAULT_HEARTBEAT_INTERVAL = "2s";
    public static final String DEFAULT_CONFIRM_TIMEOUT = "10s";
    public static final String DEFAULT_SIM_RUN_TIME = "2s";
    public static final String DEFAULT_CLEAN_GRACE = "30s";
    public static final String DEFAULT_RUNTIME_MODE = "engine";
    public static final String DEFAULT_ENGINE_PORTS = "30000-30999";
    public static final String DEFAULT_PORT_LOCK_DIR = "/tmp/tunefleet-port-locks";
    public static final String DEFAULT_ENGINE_LOG_DIR = "/tmp/tunefleet-engine-logs";
    public static final String DEFAULT_ENGINE_STOP_GRACE = "10s";
    public static final String DEFAULT_REQUEST_TIMEOUT = "5m";
    public static final String DEFAULT_ENGINE_LAUNCH = "process";

    /** The first and last engine port. */
    public int[] enginePortRange() {
        String[] parts = enginePorts.split("-");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }

    public WorkerProperties {
        for (var d : new Duration[] {pollInterval, heartbeatInterval, confirmTimeout}) {
            if (d != null && (d.isZero() || d.isNegative())) {
                throw new IllegalArgumentException("tunefleet.worker durations must be positive, got " + d);
            }
        }
        engines = engines == null ? Map.of() : Map.copyOf(engines);
        Map<String, String> images = new java.util.HashMap<>(DockerSettings.DEFAULT_IMAGES);
        if (dockerImages != null) {
            images.putAll(dockerImages);
        }
        dockerImages = Map.copyOf(images);
        dockerBinds = dockerBinds == null ? List.of() : List.copyOf(dockerBinds);
        if (huggingFaceCache == null) {
            huggingFaceCache = Path.of(System.getProperty("user.home"), ".cache", "huggingface");
        }
        if (enginePorts != null && !enginePorts.matches("\\d+-\\d+")) {
            throw new IllegalArgumentException("tunefleet.worker.engine-ports must be first-last, got " + enginePorts);
        }
        if (simRunTime != null && simRunTime.isNegative()) {
            throw new IllegalArgumentException("tunefleet.worker.sim-run-time must not be negative");
        }
    }
}
