package io.tunefleet.worker.config;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param pollInterval      longest wait between claim passes while nothing changes
 * @param heartbeatInterval how often the worker tells the coordinator it is alive
 * @param confirmTimeout    how long to wait for the broker to confirm a claim or a result
 * @param simRunTime        how long an experiment on the simulated engine holds its GPUs
 * @param cleanGrace        how long GPUs may take after an experiment to come back clean (no process
 *                          of ours, memory near baseline) before they are quarantined
 * @param chaosDuplicateResults for fault testing only: publish every result twice, as a broker
 *                          redelivery or a network replay would
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
        @DefaultValue("false") boolean chaosDuplicateResults) {

    public static final String DEFAULT_GPUS = "nvidia-smi";
    public static final String DEFAULT_NVIDIA_SMI = "nvidia-smi";
    public static final String DEFAULT_LOCK_DIR = "/tmp/tunefleet-gpu-locks";
    public static final String DEFAULT_POLL_INTERVAL = "100ms";
    public static final String DEFAULT_HEARTBEAT_INTERVAL = "2s";
    public static final String DEFAULT_CONFIRM_TIMEOUT = "10s";
    public static final String DEFAULT_SIM_RUN_TIME = "2s";
    public static final String DEFAULT_CLEAN_GRACE = "30s";

    public WorkerProperties {
        for (var d : new Duration[] {pollInterval, heartbeatInterval, confirmTimeout}) {
            if (d != null && (d.isZero() || d.isNegative())) {
                throw new IllegalArgumentException("tunefleet.worker durations must be positive, got " + d);
            }
        }
        if (simRunTime != null && simRunTime.isNegative()) {
            throw new IllegalArgumentException("tunefleet.worker.sim-run-time must not be negative");
        }
    }
}
