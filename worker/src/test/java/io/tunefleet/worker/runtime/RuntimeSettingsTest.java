package io.tunefleet.worker.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.tunefleet.common.message.JobMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeSettingsTest {

    @TempDir
    Path dir;

    @Test
    void anEngineLogNameAnEarlierDatabaseAlreadyUsedGetsTheNextFreeNameAndTheOldLogIsKept() throws Exception {
        RuntimeSettings defaults = RuntimeSettings.defaults(RuntimeMode.ENGINE, Duration.ZERO);
        RuntimeSettings settings = new RuntimeSettings(RuntimeMode.ENGINE, Duration.ZERO, defaults.portFirst(),
                defaults.portLast(), dir.resolve("ports"), dir.resolve("logs"), defaults.healthPollInterval(),
                defaults.stopGrace(), defaults.requestTimeout(), defaults.warmupRequests());
        JobMessage job = Jobs.job("sglang", Map.of(), Jobs.smallBenchmark(), 60); // task 7, experiment 42, attempt 1

        Path first = settings.logFile(job);
        assertThat(first).isEqualTo(dir.resolve("logs/task-7/experiment-42-attempt-1.log"));
        Files.createDirectories(first.getParent());
        Files.writeString(first, "the first database's engine");

        Path second = settings.logFile(job);
        assertThat(second).isEqualTo(dir.resolve("logs/task-7/experiment-42-attempt-1.2.log"));
        Files.writeString(second, "the second's");
        assertThat(settings.logFile(job)).hasFileName("experiment-42-attempt-1.3.log");
        assertThat(first).hasContent("the first database's engine");
    }
}
