package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeRouterTest {

    @Test
    void simJobsRunTheHttpEngineUnlessTheWorkerOnlyHoldsGpus() {
        var sim = Jobs.job("sim", Map.of(), Jobs.smallBenchmark(), 5);

        assertThat(RuntimeRouter.standard(RuntimeMode.ENGINE, Duration.ZERO).route(sim))
                .isInstanceOf(SimEngineRuntime.class);
        assertThat(RuntimeRouter.standard(RuntimeMode.HOLD, Duration.ZERO).route(sim)).isInstanceOf(SimRuntime.class);
    }

    @Test
    void sglangAndVllmJobsRunAsProcesses() {
        RuntimeRouter router = RuntimeRouter.standard(RuntimeMode.HOLD, Duration.ZERO);

        assertThat(router.route(Jobs.job("sglang", Map.of(), Jobs.smallBenchmark(), 5)))
                .isInstanceOf(ProcessRuntime.class);
        assertThat(router.route(Jobs.job("vllm", Map.of(), Jobs.smallBenchmark(), 5)))
                .isInstanceOf(ProcessRuntime.class);
    }

    @Test
    void sglangAndVllmJobsRunInContainersWhenTheWorkerLaunchesEnginesWithDocker() {
        RuntimeRouter router = new RuntimeRouter(RuntimeSettings.defaults(RuntimeMode.ENGINE, Duration.ZERO),
                Map.of(), ScoringSpec.DEFAULT, EngineLaunch.DOCKER, DockerSettings.defaults("w1"));

        assertThat(router.route(Jobs.job("sglang", Map.of(), Jobs.smallBenchmark(), 5)))
                .isInstanceOf(DockerRuntime.class);
        assertThat(router.route(Jobs.job("vllm", Map.of(), Jobs.smallBenchmark(), 5)))
                .isInstanceOf(DockerRuntime.class);
        assertThat(router.route(Jobs.job("sim", Map.of(), Jobs.smallBenchmark(), 5)))
                .isInstanceOf(SimEngineRuntime.class);
    }
}
