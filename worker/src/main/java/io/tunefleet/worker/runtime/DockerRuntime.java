package io.tunefleet.worker.runtime;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.PullImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.engine.DockerEngine;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.engine.PortAllocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each experiment's engine in a container of its own ({@link DockerEngine}): the runtime's image
 * with the job's tag (pulled only when absent), the preset's argv as the command, only the reserved
 * GPUs, host networking on the reserved port, the model read-only, labels with task, experiment,
 * attempt and worker. The container is stopped and removed however the experiment ends, its output
 * kept under the engine log directory. {@link #reapOrphans()} removes, at worker start, this worker's
 * containers that no live experiment owns.
 */
public final class DockerRuntime implements ExperimentRuntime, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

    public static final String LABEL_TASK = "tunefleet.task";
    public static final String LABEL_EXPERIMENT = "tunefleet.experiment";
    public static final String LABEL_ATTEMPT = "tunefleet.attempt";
    public static final String LABEL_WORKER = "tunefleet.worker";
    public static final String LABEL_PORT = "tunefleet.port";

    private final Map<String, EnginePreset> presets;
    private final RuntimeSettings settings;
    private final DockerSettings docker;
    private final EngineExperiment experiment;
    private final DockerClient client;
    /** Names of the containers of running experiments; registered before the container is created. */
    private final Set<String> live = ConcurrentHashMap.newKeySet();

    public DockerRuntime(Map<String, EnginePreset> presets, PortAllocator ports,
                         Function<JobMessage, ScoringSpec> scoring, RuntimeSettings settings, DockerSettings docker) {
        this.presets = Map.copyOf(presets);
        this.settings = settings;
        this.docker = docker;
        this.experiment = new EngineExperiment(ports, scoring, settings);
        this.client = client(docker.dockerHost());
    }

    static DockerClient client(String dockerHost) {
        DockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost)
                .build();
        return DockerClientImpl.getInstance(config, new ApacheDockerHttpClient.Builder()
                .dockerHost(config.getDockerHost()).sslConfig(config.getSSLConfig()).maxConnections(32)
                .connectionTimeout(Duration.ofSeconds(5)).responseTimeout(Duration.ofMinutes(5)).build());
    }

    @Override
    public RunResult run(JobMessage job, List<Integer> gpuIndices) throws InterruptedException {
        EnginePreset preset = EnginePreset.forJob(job, presets);
        String image = docker.image(job.runtime(), job.imageTag());
        if (preset == null || image == null) {
            return RunResult.failed(FailureClass.INFRASTRUCTURE, "worker has no docker engine named " + job.runtime()
                    + "; it has commands for " + presets.keySet() + " and images for " + docker.images().keySet());
        }
        try {
            ensureImage(job, image);
        } catch (IOException e) {
            return RunResult.failed(FailureClass.INFRASTRUCTURE, e.getMessage());
        }
        return experiment.run(job, gpuIndices, (j, gpus, port) -> {
            // Inside the container the requested GPUs are numbered from 0.
            List<Integer> visible = docker.gpuDeviceRequests() ? IntStream.range(0, gpus.size()).boxed().toList()
                    : gpus;
            List<String> argv = preset.argv(j.model(), port, visible, gpus, EngineExperiment.params(j));
            String name = containerName(j);
            DockerEngine.Spec spec = new DockerEngine.Spec(name, image, argv, gpus, docker.gpuDeviceRequests(),
                    labels(j, port), binds(j), settings.logFile(j), settings.stopGrace());
            live.add(name);
            DockerEngine engine;
            try {
                engine = DockerEngine.start(client, spec);
            } catch (IOException | RuntimeException e) {
                live.remove(name);
                throw e;
            }
            log.info("task {} experiment {}: started container {} ({}) from {} with {} on GPUs {}, port {}",
                    j.taskId(), j.experimentId(), name, engine.containerId(), image, argv, gpus, port);
            return EngineHandle.of(engine::alive, () -> engine.logTail(EngineExperiment.LOG_LINES_READ), () -> {
                try {
                    engine.close();
                    log.info("task {} experiment {}: container {} stopped and removed; output in {}",
                            j.taskId(), j.experimentId(), name, engine.logFile());
                } finally {
                    live.remove(name);
                }
            }, engine::pids);
        });
    }

    private void ensureImage(JobMessage job, String image) throws IOException, InterruptedException {
        try {
            client.inspectImageCmd(image).exec();
            return;
        } catch (NotFoundException e) {
            if (!docker.pullImages()) {
                throw new IOException("image " + image + " is not on this host and pulls are off");
            }
        } catch (RuntimeException e) {
            throw new IOException("Docker engine at " + docker.dockerHost() + " did not answer: " + e.getMessage(), e);
        }
        log.info("task {} experiment {}: pulling {}", job.taskId(), job.experimentId(), image);
        try {
            boolean done = client.pullImageCmd(image).exec(new PullImageResultCallback())
                    .awaitCompletion(docker.pullTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (!done) {
                throw new IOException("pull of " + image + " took longer than " + docker.pullTimeout());
            }
        } catch (RuntimeException e) {
            throw new IOException("pull of " + image + " failed: " + e.getMessage(), e);
        }
    }

    private String containerName(JobMessage job) {
        return "tunefleet-" + docker.workerId().replaceAll("[^a-zA-Z0-9_.-]", "_") + "-t" + job.taskId() + "-e"
                + job.experimentId() + "-a" + job.attempt();
    }

    private Map<String, String> labels(JobMessage job, int port) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_TASK, Long.toString(job.taskId()));
        labels.put(LABEL_EXPERIMENT, Long.toString(job.experimentId()));
        labels.put(LABEL_ATTEMPT, Integer.toString(job.attempt()));
        labels.put(LABEL_WORKER, docker.workerId());
        labels.put(LABEL_PORT, Integer.toString(port));
        return labels;
    }

    /** The model read-only (a local directory at its own path, else the HuggingFace cache), then the extras. */
    private List<String> binds(JobMessage job) {
        List<String> binds = new ArrayList<>();
        Path model = Path.of(job.model());
        if (model.isAbsolute() && Files.exists(model)) {
            binds.add(model + ":" + model + ":ro");
        } else if (docker.huggingFaceCache() != null && Files.isDirectory(docker.huggingFaceCache())) {
            binds.add(docker.huggingFaceCache().toAbsolutePath() + ":/root/.cache/huggingface");
        }
        binds.addAll(docker.binds());
        return binds;
    }

    /**
     * Removes this worker's containers that no live experiment owns, left by a crash or a kill of an
     * earlier run of this worker. Called at worker start; returns how many were removed.
     */
    public int reapOrphans() {
        List<Container> mine = client.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(LABEL_WORKER, docker.workerId())).exec();
        int removed = 0;
        for (Container container : mine) {
            boolean owned = container.getNames() != null && List.of(container.getNames()).stream()
                    .anyMatch(n -> live.contains(n.replaceFirst("^/", "")));
            if (owned) {
                continue;
            }
            log.warn("worker {}: removing orphan container {} of task {} experiment {} attempt {} ({})",
                    docker.workerId(), container.getId(), container.getLabels().get(LABEL_TASK),
                    container.getLabels().get(LABEL_EXPERIMENT), container.getLabels().get(LABEL_ATTEMPT),
                    container.getStatus());
            DockerEngine.remove(client, container.getId());
            removed++;
        }
        return removed;
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
