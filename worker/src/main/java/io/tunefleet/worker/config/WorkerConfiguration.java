package io.tunefleet.worker.config;

import io.tunefleet.worker.engine.ProcessReaper;
import io.tunefleet.worker.gpu.GpuInventories;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.node.ClaimLoopHealth;
import io.tunefleet.worker.node.WorkerNode;
import io.tunefleet.worker.node.WorkerSettings;
import io.tunefleet.worker.engine.EnginePreset;
import io.tunefleet.worker.runtime.DockerSettings;
import io.tunefleet.worker.runtime.EngineLaunch;
import io.tunefleet.worker.runtime.RuntimeRouter;
import io.tunefleet.worker.runtime.RuntimeSettings;
import io.tunefleet.worker.runtime.ScoringSpec;
import java.util.LinkedHashMap;
import java.util.Map;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.amqp.autoconfigure.RabbitProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(WorkerProperties.class)
class WorkerConfiguration {

    private static final Logger log = LoggerFactory.getLogger(WorkerConfiguration.class);

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    GpuPool gpuPool(WorkerProperties properties, Clock clock) {
        String id = workerId(properties);
        return new GpuPool(GpuInventories.fromSpec(properties.gpus(), properties.nvidiaSmi(), id),
                properties.lockDir(), clock);
    }

    /** {@code /actuator/health/liveness} reads it (worker.yml). */
    @Bean
    ClaimLoopHealth claimLoop(WorkerNode node) {
        return new ClaimLoopHealth(node::claiming);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    WorkerNode workerNode(WorkerProperties properties, GpuPool pool, ConnectionFactory connections,
                          ObjectProvider<RabbitProperties> rabbit, Clock clock) {
        // Every address of spring.rabbitmq.addresses: the connection factory keeps its own list to itself.
        List<String> brokers = rabbit.stream().findFirst().map(RabbitProperties::determineAddresses).orElse(List.of());
        WorkerSettings settings = settings(properties, brokers);
        RuntimeRouter runtime = runtime(properties);
        if (properties.engineLaunch() == EngineLaunch.DOCKER && properties.id().isBlank()) {
            log.warn("worker {}: engine-launch docker without a fixed tunefleet.worker.id; containers left by an "
                    + "earlier run under another id are not reaped", settings.workerId());
        }
        int reaped = runtime.reapOrphans();
        if (reaped > 0) {
            log.warn("worker {}: removed {} engine container(s) left by an earlier run", settings.workerId(), reaped);
        }
        List<Long> groups = new ProcessReaper().reapOrphans();
        if (!groups.isEmpty()) {
            log.warn("worker {}: killed {} engine process group(s) whose worker had died: {}", settings.workerId(),
                    groups.size(), groups);
        }
        WorkerNode node = new WorkerNode(settings, pool, connections, runtime, clock);
        if (properties.chaosDuplicateResults()) {
            node.duplicateResults();
        }
        return node;
    }

    /** The node's settings; the engine stop grace is the one {@link #runtime} gives the engines. */
    static WorkerSettings settings(WorkerProperties properties, List<String> brokers) {
        return new WorkerSettings(workerId(properties), hostName(), properties.pollInterval(),
                properties.heartbeatInterval(), properties.confirmTimeout(), properties.cleanGrace(),
                properties.engineStopGrace(), brokers);
    }

    static RuntimeRouter runtime(WorkerProperties properties) {
        int[] ports = properties.enginePortRange();
        RuntimeSettings defaults = RuntimeSettings.defaults(properties.runtimeMode(), properties.simRunTime());
        RuntimeSettings settings = new RuntimeSettings(properties.runtimeMode(), properties.simRunTime(), ports[0],
                ports[1], properties.portLockDir(), properties.engineLogDir(), defaults.healthPollInterval(),
                properties.engineStopGrace(), properties.requestTimeout(), defaults.warmupRequests());
        Map<String, EnginePreset> engines = new LinkedHashMap<>();
        properties.engines().forEach((name, command) -> engines.put(name, new EnginePreset(name, command)));
        DockerSettings docker = new DockerSettings(workerId(properties), properties.dockerHost(),
                properties.dockerImages(), properties.dockerGpuDeviceRequests(), properties.dockerPull(),
                DockerSettings.DEFAULT_PULL_TIMEOUT, properties.dockerBinds(), properties.huggingFaceCache());
        return new RuntimeRouter(settings, engines, ScoringSpec.DEFAULT, properties.engineLaunch(), docker);
    }

    static String workerId(WorkerProperties properties) {
        return properties.id().isBlank() ? hostName() + "-" + ProcessHandle.current().pid() : properties.id();
    }

    static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
