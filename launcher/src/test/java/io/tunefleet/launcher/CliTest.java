package io.tunefleet.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import static org.awaitility.Awaitility.await;

import io.tunefleet.common.message.HeartbeatMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import java.nio.file.Files;
import java.time.Duration;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code tunefleet} commands that talk to a coordinator, run as a user runs them against a live
 * standalone instance (embedded broker, one simulated worker with 4 GPUs).
 */
class CliTest {

    private static LiveStack.Result submitted;
    private static long taskId;

    @TempDir
    Path dir;

    @BeforeAll
    static void submitATinyYamlTaskAndWatchIt() {
        submitted = LiveStack.cli("submit", LiveStack.TINY_TASK.toString(), "--watch");
        Matcher m = Pattern.compile("as task (\\d+) ").matcher(submitted.out());
        assertThat(m.find()).as(submitted.toString()).isTrue();
        taskId = Long.parseLong(m.group(1));
    }

    @Test
    void submitWatchFollowsAYamlTaskWithAProgressLineToTheBestConfiguration() {
        assertThat(submitted.code()).as(submitted.toString()).isZero();
        assertThat(submitted.out()).contains("'tiny-sim'", "maximize_throughput", "Best configuration",
                "--tp-size");
        String last = submitted.out().lines().filter(l -> l.contains(" done [")).reduce((a, b) -> b).orElseThrow();
        assertThat(last).matches("\\[\\s*\\d+s] COMPLETED 4/4 done \\[#{20}]  0 running  0 queued  0 failed  best \\d.*");
    }

    @Test
    void tasksListsTheTaskWithItsProgress() {
        LiveStack.Result r = LiveStack.cli("tasks");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("(?m)^\\s+" + taskId + "\\s+tiny-sim\\s+COMPLETED\\s+grid_search\\s+"
                + "maximize_throughput\\s+4/4\\s+0\\s+0$");
    }

    @Test
    void showPrintsTheExperimentsTable() {
        LiveStack.Result r = LiveStack.cli("show", Long.toString(taskId));
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Task " + taskId + " 'tiny-sim': COMPLETED", "STATE", "sim-worker-1");
        assertThat(r.out().lines().filter(l -> l.matches("\\s+\\d+\\s+SUCCEEDED\\s+[12]\\s+sim-worker-1.*"))).hasSize(4);
    }

    @Test
    void bestAndParetoShowTheWinningConfigurations() {
        LiveStack.Result best = LiveStack.cli("best", Long.toString(taskId));
        assertThat(best.code()).as(best.toString()).isZero();
        assertThat(best.out()).contains("Best configuration (experiment #", "maximize_throughput", "--tp-size",
                "Why: highest output_tokens_per_s_per_gpu");

        LiveStack.Result pareto = LiveStack.cli("pareto", Long.toString(taskId));
        assertThat(pareto.code()).as(pareto.toString()).isZero();
        assertThat(pareto.out()).contains("Pareto front of task " + taskId, "E2E_LATENCY_MEAN_S");
        assertThat(pareto.out()).containsPattern("(?m)^\\s+\\d\\s+\\d+\\.\\d{2}\\s+\\d+\\.\\d{4}\\s+mem-fraction-static=");
    }

    @Test
    void exportWritesEveryExperimentAsCsvOrJson() throws Exception {
        LiveStack.Result csv = LiveStack.cli("export", Long.toString(taskId), "--format", "csv");
        assertThat(csv.code()).as(csv.toString()).isZero();
        List<String> lines = csv.out().lines().toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).startsWith("id,seq,state,attempt,gpus,worker_id,gpu_indices,objective_value")
                .contains("param.mem-fraction-static", "param.tp-size", "metric.output_tokens_per_s_per_gpu");
        assertThat(lines.subList(1, 5)).allMatch(l -> l.contains(",SUCCEEDED,1,") && l.contains("sim-worker-1"));

        Path file = dir.resolve("experiments.json");
        LiveStack.Result json = LiveStack.cli("export", Long.toString(taskId), "--format", "json", "--output",
                file.toString());
        assertThat(json.out()).contains("Wrote 4 experiment(s) of task " + taskId + " to " + file);
        List<Map<String, Object>> experiments = JsonMapper.builder().build()
                .readValue(Files.readString(file), new TypeReference<>() { });
        assertThat(experiments).hasSize(4).allSatisfy(e -> assertThat(e).containsKeys("parameters", "metrics"));
    }

    @Test
    void workersShowsTheFleetWithItsGpus() {
        // A GPU host as its heartbeat describes it: 8 GPUs, 3 free, 2 quarantined, so 3 reserved or busy.
        RabbitTemplate template = LiveStack.get().coordinator().getBean(RabbitTemplate.class);
        template.send("", Topology.HEARTBEATS_QUEUE, new Message(MessageCodec.encode(new HeartbeatMessage(
                Schema.VERSION, "gpu-node-7", "node7.example", 8, 3, 2, 3, System.currentTimeMillis()))));
        await().atMost(Duration.ofSeconds(10)).until(() -> LiveStack.cli("workers").out().contains("gpu-node-7"));

        LiveStack.Result r = LiveStack.cli("workers");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("WORKER", "RESERVED/BUSY", "QUARANTINED");
        assertThat(r.out()).containsPattern("(?m)^gpu-node-7\\s+node7.example\\s+8\\s+3\\s+3\\s+2\\s+3\\s+\\S+\\s+yes$");
        assertThat(r.out()).containsPattern("(?m)^\\d+ live worker\\(s\\), \\d+ GPU\\(s\\), \\d+ free$");
    }

    @Test
    void logsShowsTheAttemptHistoryAndSaysWhereEngineLogsWillCome() {
        LiveStack.Result r = LiveStack.cli("logs", Long.toString(taskId), "2");
        assertThat(r.code()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Task " + taskId + " experiment #2", "SUCCEEDED", "Worker: sim-worker-1",
                "Attempts:", "1 on sim-worker-1: SUCCEEDED", "docker runtime");
    }

    @Test
    void cancelStopsARunningTaskAndSaysSoWhenItHadAlreadyEnded() throws Exception {
        Path slow = dir.resolve("slow.json");
        Files.writeString(slow, Files.readString(Path.of("..", "examples", "quickstart.json"))
                .replace("\"max_parallel_experiments\": 6", "\"max_parallel_experiments\": 1"));
        LiveStack.Result submit = LiveStack.cli("submit", slow.toString());
        Matcher m = Pattern.compile("Submitted task (\\d+) ").matcher(submit.out());
        assertThat(m.find()).as(submit.toString()).isTrue();

        LiveStack.Result cancel = LiveStack.cli("cancel", m.group(1));
        assertThat(cancel.code()).as(cancel.toString()).isZero();
        assertThat(cancel.out()).contains("Cancelled task " + m.group(1) + " 'quickstart-llama-8b'");

        LiveStack.Result again = LiveStack.cli("cancel", m.group(1));
        assertThat(again.code()).isEqualTo(1);
        assertThat(again.out()).contains("Task " + m.group(1) + " had already ended (CANCELLED)");
    }

    @Test
    void apiErrorsAreShownAsTheUsersProblemWithoutAStackTrace() throws Exception {
        LiveStack.Result missing = LiveStack.cli("show", "9999");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).isEqualTo("tunefleet: no task with id 9999" + System.lineSeparator());

        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, """
                task_name: bad
                model: {id_or_path: m}
                base_runtime: sim
                parameters: {tp-size: [1, 2]}
                optimization: {max_parallel_experiments: 0}
                """);
        LiveStack.Result invalid = LiveStack.cli("submit", bad.toString());
        assertThat(invalid.code()).isEqualTo(1);
        assertThat(invalid.err()).startsWith("tunefleet: invalid task: 1 problem(s); nothing was stored")
                .contains("  $.optimization.max_parallel_experiments: must be at least 1, got 0")
                .doesNotContain("Exception", "\tat ");

        LiveStack.Result notANumber = LiveStack.cli("best", "latest");
        assertThat(notANumber.code()).isEqualTo(2);
        assertThat(notANumber.err()).startsWith("tunefleet: 'latest' is not an id (a number); usage: tunefleet best ID");

        ByteArrayOutputStreamHolder holder = new ByteArrayOutputStreamHolder();
        int code = Main.runHandled(List.of("tasks", "--coordinator", "http://127.0.0.1:1"), holder.out, holder.err);
        assertThat(code).isEqualTo(1);
        assertThat(holder.err()).startsWith("tunefleet: cannot reach the coordinator at http://127.0.0.1:1");
    }

    /** Captures what a command prints outside the live stack helper. */
    private static final class ByteArrayOutputStreamHolder {
        final java.io.ByteArrayOutputStream errBytes = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream out = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true);
        final java.io.PrintStream err = new java.io.PrintStream(errBytes, true);

        String err() {
            return errBytes.toString();
        }
    }
}
