package io.tunefleet.worker.runtime;

import io.tunefleet.common.message.JobMessage;
import io.tunefleet.worker.bench.BenchmarkPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * How the engine runtimes behave on this host.
 *
 * @param mode               {@code engine} runs real HTTP engines; {@code hold} keeps the sim runtime
 *                           that only holds its GPUs for {@code simHoldTime}
 * @param simHoldTime        how long a {@code hold} experiment holds its GPUs
 * @param portFirst          first port engines may listen on
 * @param portLast           last port engines may listen on
 * @param portLockDir        directory of the per-port lock files shared by all workers of this host
 * @param logDir             where each experiment's engine output is kept
 * @param healthPollInterval how often to ask {@code /health} while an engine starts
 * @param stopGrace          how long an engine group gets after TERM before KILL
 * @param requestTimeout     how long one benchmark request may stay silent
 * @param warmupRequests     requests each benchmark user sends, uncounted, before each level
 */
public record RuntimeSettings(RuntimeMode mode, Duration simHoldTime, int portFirst, int portLast, Path portLockDir,
                              Path logDir, Duration healthPollInterval, Duration stopGrace, Duration requestTimeout,
                              int warmupRequests) {

    public static final int DEFAULT_PORT_FIRST = 30000;
    public static final int DEFAULT_PORT_LAST = 30999;
    /** How long an engine gets after TERM before KILL, unless configured. */
    public static final Duration DEFAULT_STOP_GRACE = Duration.ofSeconds(10);

    /**
     * A new file for the output of one experiment attempt's engine, {@code task-T/experiment-E-attempt-A.log}.
     * Ids are unique within one coordinator's database only: where that name is taken (a coordinator
     * started on a new database hands out task 1 again), the next free {@code experiment-E-attempt-A.N.log}
     * is used, so that no earlier engine's output is overwritten.
     */
    public Path logFile(JobMessage job) {
        Path dir = logDir.resolve("task-" + job.taskId());
        String name = "experiment-" + job.experimentId() + "-attempt-" + job.attempt();
        Path file = dir.resolve(name + ".log");
        for (int n = 2; Files.exists(file); n++) {
            file = dir.resolve(name + "." + n + ".log");
        }
        return file;
    }

    /** Defaults for one host, with files under the system temp directory. */
    public static RuntimeSettings defaults(RuntimeMode mode, Duration simHoldTime) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        return new RuntimeSettings(mode, simHoldTime, DEFAULT_PORT_FIRST, DEFAULT_PORT_LAST,
                tmp.resolve("tunefleet-port-locks"), tmp.resolve("tunefleet-engine-logs"), Duration.ofMillis(200),
                DEFAULT_STOP_GRACE, Duration.ofMinutes(5), BenchmarkPlan.DEFAULT_WARMUP_REQUESTS);
    }
}
