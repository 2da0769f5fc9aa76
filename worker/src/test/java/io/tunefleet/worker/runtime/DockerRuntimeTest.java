package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.BuildImageResultCallback;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.ResultMessage.Outcome;
import io.tunefleet.common.message.Schema;
import io.tunefleet.worker.engine.DockerEngine;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.engine.PortAllocator;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker runtime against a real Docker engine: the "engine image" is built here
 * {@code FROM scratch} and runs the simulated engine on the host's JVM, mounted read-only with the
 * test classpath. Pulls come from a {@link LocalRegistry} on loopback. Skipped when no Docker engine
 * (or, for the pull tests, no docker-registry) is here, unless {@code CI=true}, where that fails.
 */
class DockerRuntimeTest {

    private static final String IMAGE_REPOSITORY = "tunefleet-test-engine";
    private static final String IMAGE_TAG = "latest";

    /** The Docker engine to test against; {@code TUNEFLEET_TEST_DOCKER_HOST} overrides the local one. */
    private static final String DOCKER_HOST = System.getenv().getOrDefault("TUNEFLEET_TEST_DOCKER_HOST",
            DockerSettings.DEFAULT_DOCKER_HOST);

    private static DockerClient docker;
    /** Why these tests cannot run here, or null when a Docker engine answers. */
    private static String unavailable;

    @TempDir
    Path dir;

    private final String workerId = "docker-test-" + UUID.randomUUID().toString().substring(0, 8);
    private DockerRuntime runtime;

    @BeforeAll
    static void aDockerEngineAnswersAndTheTestImageExists(@TempDir Path context) throws Exception {
        docker = DockerRuntime.client(DOCKER_HOST);
        try {
            docker.pingCmd().exec();
        } catch (RuntimeException e) {
            String reason = "no Docker engine answers at " + DOCKER_HOST + " (" + e.getMessage()
                    + "); start one with: dockerd --bridge=none --iptables=false --ip-forward=false";
            if ("true".equals(System.getenv("CI"))) {
                fail("CI=true: " + reason);
            }
            unavailable = reason; // each test is skipped with it, so the report shows them and why
            return;
        }
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nLABEL tunefleet.test=engine\n");
        docker.buildImageCmd(context.toFile()).withTags(Set.of(IMAGE_REPOSITORY + ":" + IMAGE_TAG))
                .exec(new BuildImageResultCallback()).awaitImageId(60, TimeUnit.SECONDS);
    }

    @AfterAll
    static void closeClient() throws Exception {
        if (docker != null) {
            docker.close();
        }
    }

    @BeforeEach
    void createRuntime() {
        assumeTrue(unavailable == null, unavailable);
        runtime = runtime(Map.of(), false);
    }

    /** A docker runtime for this test's worker; {@code extraImages} adds or replaces image repositories by preset. */
    private DockerRuntime runtime(Map<String, String> extraImages, boolean pullImages) {
        RuntimeSettings settings = new RuntimeSettings(RuntimeMode.ENGINE, Duration.ZERO, 23100, 23299,
                dir.resolve("ports"), dir.resolve("logs"), Duration.ofMillis(100), Duration.ofSeconds(1),
                Duration.ofSeconds(10), 1);
        Map<String, EnginePreset> presets = Map.of(
                "sim-pinned", preset("sim-pinned", "io.tunefleet.worker.sim.SimEngineMain", "--port", "{port}",
                        "--model-path", "{model}", "--ttft-ms", "300", "--tpot-ms", "20"),
                "sim-config", preset("sim-config", "io.tunefleet.worker.sim.SimEngineMain", "--port", "{port}",
                        "--model-path", "llama-8b"),
                "stubborn", preset("stubborn", StubbornEngineMain.class.getName()),
                "absent", preset("absent", StubbornEngineMain.class.getName()));
        Map<String, String> images = new java.util.HashMap<>(Map.of("sim-pinned", IMAGE_REPOSITORY,
                "sim-config", IMAGE_REPOSITORY, "stubborn", IMAGE_REPOSITORY, "absent", "tunefleet-test-never-built"));
        images.putAll(extraImages);
        DockerSettings dockerSettings = new DockerSettings(workerId, DOCKER_HOST, images,
                false, pullImages, Duration.ofMinutes(1), jvmBinds(), null);
        return new DockerRuntime(presets, new PortAllocator(settings.portFirst(), settings.portLast(),
                settings.portLockDir()), ScoringSpec.DEFAULT, settings, dockerSettings);
    }

    @AfterEach
    void removeWhatATestLeft() throws Exception {
        if (runtime == null) {
            return;
        }
        for (Container c : containers(workerId)) {
            docker.removeContainerCmd(c.getId()).withForce(true).exec();
        }
        runtime.close();
    }

    /** The host's JVM and the test classpath, read-only: enough to run a Java main in a scratch image. */
    private static List<String> jvmBinds() {
        Set<String> binds = new LinkedHashSet<>();
        for (String system : List.of("/usr", "/lib", "/lib64", "/etc/alternatives", "/etc/java-17-openjdk")) {
            if (Files.exists(Path.of(system))) {
                binds.add(system + ":" + system + ":ro");
            }
        }
        Path m2 = Path.of(System.getProperty("user.home"), ".m2", "repository").toAbsolutePath();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry).toAbsolutePath();
            Path mount = path.startsWith(m2) ? m2 : path;
            if (Files.exists(mount)) {
                binds.add(mount + ":" + mount + ":ro");
            }
        }
        return new ArrayList<>(binds);
    }

    private static EnginePreset preset(String name, String mainClass, String... args) {
        List<String> argv = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:-UsePerfData", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-cp",
                System.getProperty("java.class.path"), mainClass));
        argv.addAll(List.of(args));
        return new EnginePreset(name, argv);
    }

    private static JobMessage job(String runtime, long experimentId, Map<String, Object> params, long timeoutS) {
        return new JobMessage(Schema.VERSION, 7, experimentId, 1, 1, runtime, "meta-llama/Llama-3.1-8B-Instruct",
                IMAGE_TAG, new TreeMap<>(params), Jobs.smallBenchmark(), timeoutS);
    }

    private static List<Container> containers(String worker) {
        return docker.listContainersCmd().withShowAll(true)
                .withLabelFilter(Map.of(DockerRuntime.LABEL_WORKER, worker)).exec();
    }

    private List<Container> running() {
        return containers(workerId).stream().filter(c -> "running".equals(c.getState())).toList();
    }

    private static String logsOf(String containerId) throws InterruptedException {
        StringBuilder out = new StringBuilder();
        docker.logContainerCmd(containerId).withStdOut(true).withStdErr(true)
                .exec(new com.github.dockerjava.api.async.ResultCallback.Adapter<com.github.dockerjava.api.model.Frame>() {
                    @Override
                    public void onNext(com.github.dockerjava.api.model.Frame frame) {
                        out.append(new String(frame.getPayload(), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }).awaitCompletion(5, java.util.concurrent.TimeUnit.SECONDS);
        return out.toString();
    }

    private Path logOf(long experimentId) {
        return dir.resolve("logs").resolve("task-7").resolve("experiment-" + experimentId + "-attempt-1.log");
    }

    @Test
    void anEngineInAContainerIsBenchmarkedThenStoppedAndRemovedWithItsLogKept() throws Exception {
        RunResult result = runtime.run(job("sim-pinned", 42, Map.of(), 60), List.of(2, 5));

        assertThat(result.error()).isNull();
        assertThat(result.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(result.metrics()).containsKeys("ttft_mean_ms", "tpot_mean_ms", "score")
                .containsEntry("success_rate", 1.0).containsEntry("gpus", 2.0);
        assertThat(result.metrics().get("ttft_mean_ms")).isBetween(300.0, 400.0);
        assertThat(result.enginePids()).as("host pids of the container's processes, for the clean release")
                .isNotEmpty().noneMatch(Processes::alive);
        assertThat(containers(workerId)).as("containers left").isEmpty();
        assertThat(Files.readString(logOf(42))).contains("sim engine serving meta-llama/Llama-3.1-8B-Instruct");
    }

    @Test
    void aContainerThatExitsDuringStartFailsFastWithItsLastLogLines() throws Exception {
        long started = System.nanoTime();
        RunResult result = runtime.run(job("sim-config", 42, Map.of("tp-size", 3), 60), List.of(0));

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.failureClass()).isEqualTo(FailureClass.INVALID_CONFIG);
        assertThat(result.error()).contains("engine exited during start").contains("does not divide");
        assertThat(result.enginePids()).as("an exited container has no process left").isEmpty();
        assertThat(containers(workerId)).as("containers left").isEmpty();
    }

    @Test
    void aCancelledExperimentHasItsTermIgnoringContainerKilledAndRemoved() throws Exception {
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try {
            Future<RunResult> run = executor.submit(() -> runtime.run(job("stubborn", 42, Map.of(), 60), List.of(0)));
            await().atMost(Duration.ofSeconds(20)).until(() -> running().size() == 1);
            // Cancel only once the engine has printed something, so the kept log has something to show.
            await().atMost(Duration.ofSeconds(20)).until(() -> logsOf(running().get(0).getId())
                    .contains("loading weights forever"));

            run.cancel(true); // what the worker does on a timeout or a cancel

            await().atMost(Duration.ofSeconds(15)).until(() -> containers(workerId).isEmpty());
            assertThat(Files.readString(logOf(42))).contains("loading weights forever");
        } finally {
            executor.shutdownNow();
        }
    }

    @Test
    void anEngineThatNeverServesTimesOutAndIsRemoved() throws Exception {
        // Long enough for the JVM in the container to print its first line on a loaded machine.
        RunResult result = runtime.run(job("stubborn", 42, Map.of(), 8), List.of(0));

        assertThat(result.outcome()).isEqualTo(Outcome.TIMED_OUT);
        assertThat(result.failureClass()).isEqualTo(FailureClass.STARTUP_TIMEOUT);
        assertThat(result.error()).contains("loading weights forever");
        assertThat(containers(workerId)).as("containers left").isEmpty();
    }

    @Test
    void anAbsentImageIsNotPulledWhenPullsAreOffAndFailsAsInfrastructure() throws Exception {
        RunResult result = runtime.run(job("absent", 42, Map.of(), 60), List.of(0));

        assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(result.failureClass()).isEqualTo(FailureClass.INFRASTRUCTURE);
        assertThat(result.error()).contains("tunefleet-test-never-built:latest").contains("pulls are off");
        assertThat(containers(workerId)).isEmpty();
    }

    @Test
    void anAbsentImageIsPulledFromItsRegistryOnceThenUsedFromTheHost(@TempDir Path registryDir) throws Exception {
        assumeTrue(LocalRegistry.unavailable() == null || "true".equals(System.getenv("CI")), LocalRegistry.unavailable());
        try (LocalRegistry registry = LocalRegistry.start(registryDir)) {
            String repository = registry.repository("tunefleet-test-pulled-" + workerId);
            String image = repository + ":" + IMAGE_TAG;
            docker.tagImageCmd(IMAGE_REPOSITORY + ":" + IMAGE_TAG, repository, IMAGE_TAG).exec();
            docker.pushImageCmd(repository).withTag(IMAGE_TAG).start().awaitCompletion(60, TimeUnit.SECONDS);
            docker.removeImageCmd(image).exec(); // only the tag goes; the test image stays
            assertThat(imageOnHost(image)).isFalse();
            try (DockerRuntime pulling = runtime(Map.of("sim-pinned", repository), true)) {

                RunResult first = pulling.run(job("sim-pinned", 42, Map.of(), 60), List.of(0));

                assertThat(first.error()).isNull();
                assertThat(first.outcome()).isEqualTo(Outcome.SUCCEEDED);
                assertThat(imageOnHost(image)).as("pulled").isTrue();

                registry.close(); // a second pull would now fail: the image must come from the host
                RunResult second = pulling.run(job("sim-pinned", 43, Map.of(), 60), List.of(0));

                assertThat(second.error()).isNull();
                assertThat(second.outcome()).isEqualTo(Outcome.SUCCEEDED);
            } finally {
                if (imageOnHost(image)) {
                    docker.removeImageCmd(image).exec();
                }
            }
        }
    }

    @Test
    void anImageTheRegistryDoesNotHaveFailsAsInfrastructureNamingThePull(@TempDir Path registryDir) throws Exception {
        assumeTrue(LocalRegistry.unavailable() == null || "true".equals(System.getenv("CI")), LocalRegistry.unavailable());
        try (LocalRegistry registry = LocalRegistry.start(registryDir);
             DockerRuntime pulling = runtime(Map.of("sim-pinned", registry.repository("tunefleet-never-pushed")), true)) {

            RunResult result = pulling.run(job("sim-pinned", 42, Map.of(), 60), List.of(0));

            assertThat(result.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(result.failureClass()).isEqualTo(FailureClass.INFRASTRUCTURE);
            assertThat(result.error()).contains("pull of " + registry.repository("tunefleet-never-pushed") + ":latest failed");
            assertThat(containers(workerId)).isEmpty();
        }
    }

    private static boolean imageOnHost(String image) {
        return found(() -> docker.inspectImageCmd(image).exec());
    }

    @Test
    void atWorkerStartItsOrphanContainersAreRemovedAndOtherWorkersContainersKept() {
        String other = workerId + "-other";
        String orphan = docker.createContainerCmd(IMAGE_REPOSITORY + ":" + IMAGE_TAG).withEntrypoint("/none")
                .withLabels(Map.of(DockerRuntime.LABEL_WORKER, workerId, DockerRuntime.LABEL_EXPERIMENT, "9"))
                .exec().getId();
        String foreign = docker.createContainerCmd(IMAGE_REPOSITORY + ":" + IMAGE_TAG).withEntrypoint("/none")
                .withLabels(Map.of(DockerRuntime.LABEL_WORKER, other)).exec().getId();
        try {
            assertThat(runtime.reapOrphans()).isEqualTo(1);

            assertThat(containers(workerId)).isEmpty();
            assertThat(containers(other)).extracting(Container::getId).containsExactly(foreign);
            assertThat(gone(orphan)).isTrue();
        } finally {
            docker.removeContainerCmd(foreign).withForce(true).exec();
        }
    }

    @Test
    void twoConcurrentExperimentsGetTheirOwnPortsAndLiveOnesAreNotReaped() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(2);
        try {
            Future<RunResult> first = executor.submit(() -> runtime.run(job("sim-pinned", 42, Map.of(), 60),
                    List.of(0)));
            Future<RunResult> second = executor.submit(() -> runtime.run(job("sim-pinned", 43, Map.of(), 60),
                    List.of(1)));
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                    .until(() -> running().size() == 2);

            List<Container> both = running();
            assertThat(both).extracting(c -> c.getLabels().get(DockerRuntime.LABEL_EXPERIMENT))
                    .containsExactlyInAnyOrder("42", "43");
            assertThat(both).allSatisfy(c -> assertThat(c.getLabels()).containsEntry(DockerRuntime.LABEL_TASK, "7")
                    .containsEntry(DockerRuntime.LABEL_ATTEMPT, "1").containsEntry(DockerRuntime.LABEL_WORKER, workerId));
            assertThat(both).extracting(c -> c.getLabels().get(DockerRuntime.LABEL_PORT)).doesNotHaveDuplicates();
            assertThat(runtime.reapOrphans()).as("containers of live experiments reaped").isZero();
            Map<String, Set<Integer>> topByExperiment = new TreeMap<>();
            both.forEach(c -> topByExperiment.put(c.getLabels().get(DockerRuntime.LABEL_EXPERIMENT), top(c.getId())));

            RunResult firstResult = first.get(60, TimeUnit.SECONDS);
            RunResult secondResult = second.get(60, TimeUnit.SECONDS);
            assertThat(firstResult.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(secondResult.outcome()).isEqualTo(Outcome.SUCCEEDED);
            // Each run names its own container's processes, as docker top listed them while it ran.
            assertThat(firstResult.enginePids()).isNotEmpty().containsAll(topByExperiment.get("42"))
                    .doesNotContainAnyElementsOf(topByExperiment.get("43"));
            assertThat(secondResult.enginePids()).isNotEmpty().containsAll(topByExperiment.get("43"))
                    .doesNotContainAnyElementsOf(topByExperiment.get("42"));
            assertThat(containers(workerId)).as("containers left").isEmpty();
        } finally {
            executor.shutdownNow();
        }
    }

    /** The host pids {@code docker top} lists for a container now. */
    private static Set<Integer> top(String containerId) {
        var top = docker.topContainerCmd(containerId).exec();
        return DockerEngine.hostPids(top.getTitles(), top.getProcesses());
    }

    private static boolean gone(String containerId) {
        return !found(() -> docker.inspectContainerCmd(containerId).exec());
    }

    /** Whether the Docker engine knows what {@code inspect} asks about. */
    private static boolean found(Runnable inspect) {
        try {
            inspect.run();
            return true;
        } catch (NotFoundException e) {
            return false;
        }
    }
}
