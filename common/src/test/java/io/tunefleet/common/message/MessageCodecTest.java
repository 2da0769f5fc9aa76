package io.tunefleet.common.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.param.ParameterSet;
import io.tunefleet.common.task.BenchmarkSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

class MessageCodecTest {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private static JobMessage job() {
        TreeMap<String, Object> parameters = new TreeMap<>();
        parameters.put("tp-size", 2L);
        parameters.put("mem-fraction-static", 0.85);
        parameters.put("schedule-policy", "lpm");
        parameters.put("enable-torch-compile", true);
        return new JobMessage(Schema.VERSION, 7, 1234, 2, 2, "sglang", "meta-llama/Llama-3.2-1B-Instruct",
                "v0.5.2-cu126", parameters,
                new BenchmarkSpec(List.of("D(100,100)", "N(480,240)/(300,150)"), List.of(1, 4, 8), 30, 200), 900);
    }

    private static ClaimMessage claim() {
        return new ClaimMessage(Schema.VERSION, "worker-a", "gpu-host-3", 7, 1234, 2, List.of(4, 5), 1_700_000_000_123L);
    }

    private static ResultMessage success() {
        return new ResultMessage(Schema.VERSION, "worker-a", 7, 1234, 2, ResultMessage.Outcome.SUCCEEDED, null, null,
                Map.of("ttft_mean_ms", 41.5, "e2e_latency_mean_s", 1.25, "output_tokens_per_s_per_gpu", 812.0),
                List.of(4, 5), 1_700_000_000_123L, 1_700_000_090_456L);
    }

    private static ResultMessage failure() {
        return new ResultMessage(Schema.VERSION, "worker-a", 7, 1235, 1, ResultMessage.Outcome.FAILED,
                FailureClass.OUT_OF_MEMORY, "CUDA out of memory. Tried to allocate 2.00 GiB", Map.of(),
                List.of(0), 1_700_000_000_000L, 1_700_000_005_000L);
    }

    private static HeartbeatMessage heartbeat() {
        return new HeartbeatMessage(Schema.VERSION, "worker-b", "gpu-host-4", 8, 5, 1, 2, 1_700_000_001_000L);
    }

    @Test
    void jobRoundTripsExactly() {
        JobMessage job = job();

        JobMessage decoded = MessageCodec.decodeJob(MessageCodec.encode(job));

        assertThat(decoded).isEqualTo(job);
        assertThat(decoded.parameters()).containsEntry("tp-size", 2L).containsEntry("mem-fraction-static", 0.85);
        assertThat(ParameterSet.of(decoded.parameters()).key()).isEqualTo(ParameterSet.of(job.parameters()).key());
        assertThat(decoded.attemptKey()).isEqualTo("1234#2");
    }

    @Test
    void jobsAvailableNamesTheQueuesOldestFirstAndReadsWithoutThem() {
        ControlMessage announced = ControlMessage.jobsAvailable(List.of(8, 1, 8, 2), 1500);

        ControlMessage decoded = MessageCodec.decodeControl(MessageCodec.encode(announced));

        assertThat(decoded.gpuCounts()).as("oldest first, each once").containsExactly(8, 1, 2);
        assertThat(decoded.oldestWaitMs()).isEqualTo(1500);
        String fromAnOlderCoordinator = "{\"schema\":" + Schema.VERSION + ",\"kind\":\"JOBS_AVAILABLE\",\"taskId\":0,"
                + "\"experimentId\":0,\"attempt\":0}";
        ControlMessage older = MessageCodec.decodeControl(fromAnOlderCoordinator.getBytes(StandardCharsets.UTF_8));
        assertThat(older.gpuCounts()).as("no counts: any queue may have jobs").isEmpty();
        assertThat(older.readsBatches()).as("an older coordinator is sent no batches").isFalse();
        assertThat(decoded.readsBatches()).isTrue();
        assertThat(ControlMessage.cancelTask(7, "why").readsBatches()).isTrue();
    }

    @Test
    void incompleteClaimsAndResultsAreRefusedWithWhatTheyLack() {
        ClaimMessage noGpus = new ClaimMessage(Schema.VERSION, "worker-a", "h", 7, 1234, 2, List.of(), 1L);
        ResultMessage noOutcome = new ResultMessage(Schema.VERSION, " ", 7, 1234, 0, null, null, null, Map.of(),
                List.of(0), 1L, 2L);

        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(MessageCodec.encode(noGpus)))
                .isInstanceOf(UndecodableMessageException.class).hasMessageContaining("names the GPUs");
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(MessageCodec.encode(noOutcome)))
                .isInstanceOf(UndecodableMessageException.class)
                .hasMessageContaining("workerId is required")
                .hasMessageContaining("attempt must be 1 or more, got 0")
                .hasMessageContaining("a result has an outcome");
    }

    @Test
    void aBatchCarriesClaimsAndResultsInOrder() {
        BatchMessage batch = new BatchMessage(Schema.VERSION, "worker-a", List.of(claim(), success(), failure()));
        byte[] bytes = MessageCodec.encode(batch);

        assertThat(tree(bytes).get("type").stringValue()).isEqualTo("batch");
        assertThat(MessageCodec.decodeWorkerMessage(bytes)).isEqualTo(batch);
    }

    @Test
    void aBatchIsRefusedWholeWithWhereEachProblemIs() {
        ClaimMessage noGpus = new ClaimMessage(Schema.VERSION, "worker-a", "h", 7, 1234, 2, List.of(), 1L);
        BatchMessage bad = new BatchMessage(Schema.VERSION, "worker-a", List.of(claim(), noGpus, heartbeat()));

        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(MessageCodec.encode(bad)))
                .isInstanceOf(UndecodableMessageException.class)
                .hasMessageContaining("messages[1]: a claim names the GPUs")
                .hasMessageContaining("messages[2]: a batch holds only claims and results");
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(MessageCodec.encode(
                new BatchMessage(Schema.VERSION, "worker-a", List.of()))))
                .hasMessageContaining("a batch holds 1 to 64 messages, got 0");
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(MessageCodec.encode(
                new BatchMessage(Schema.VERSION, "worker-b", List.of(claim())))))
                .hasMessageContaining("messages[0]: sent by worker-a in a batch of worker-b");
    }

    @Test
    void claimRoundTripsWithItsTypeDiscriminator() {
        byte[] bytes = MessageCodec.encode(claim());

        assertThat(tree(bytes).get("type").stringValue()).isEqualTo("claim");
        assertThat(MessageCodec.decodeWorkerMessage(bytes)).isInstanceOf(ClaimMessage.class).isEqualTo(claim());
    }

    @Test
    void successfulResultRoundTripsWithItsTypeDiscriminator() {
        byte[] bytes = MessageCodec.encode(success());

        assertThat(tree(bytes).get("type").stringValue()).isEqualTo("result");
        assertThat(MessageCodec.decodeWorkerMessage(bytes)).isInstanceOf(ResultMessage.class).isEqualTo(success());
    }

    @Test
    void failedResultKeepsItsFailureClassAndError() {
        ResultMessage decoded = (ResultMessage) MessageCodec.decodeWorkerMessage(MessageCodec.encode(failure()));

        assertThat(decoded).isEqualTo(failure());
        assertThat(decoded.failureClass()).isEqualTo(FailureClass.OUT_OF_MEMORY);
        assertThat(decoded.failureClass().retryable()).isFalse();
    }

    @Test
    void heartbeatRoundTripsWithItsTypeDiscriminator() {
        byte[] bytes = MessageCodec.encode(heartbeat());

        assertThat(tree(bytes).get("type").stringValue()).isEqualTo("heartbeat");
        assertThat(MessageCodec.decodeWorkerMessage(bytes)).isInstanceOf(HeartbeatMessage.class).isEqualTo(heartbeat());
    }

    @Test
    void workerMessageEncodedThroughTheInterfaceTypeDecodesTheSame() {
        WorkerMessage m = claim();
        assertThat(MessageCodec.decodeWorkerMessage(MessageCodec.encode(m))).isEqualTo(claim());
    }

    @Test
    void unknownSchemaVersionOfAJobIsRejectedNamingTheVersion() {
        ObjectNode tree = tree(MessageCodec.encode(job()));
        tree.put("schema", 2);

        assertThatThrownBy(() -> MessageCodec.decodeJob(bytes(tree)))
                .isInstanceOf(UndecodableMessageException.class)
                .hasMessageContaining("schema version 2");
    }

    @Test
    void theAttemptOfAJobIsReadEvenWhereTheJobCannotBe() {
        ObjectNode tree = tree(MessageCodec.encode(job()));
        tree.put("schema", 2);
        tree.put("gpus", "many");

        assertThat(MessageCodec.jobAttempt(bytes(tree))).contains(job().identity());
        assertThat(MessageCodec.jobAttempt("{not json".getBytes(StandardCharsets.UTF_8))).isEmpty();
        assertThat(MessageCodec.jobAttempt("{\"taskId\": 3, \"experimentId\": 0, \"attempt\": 1}"
                .getBytes(StandardCharsets.UTF_8))).as("no experiment named").isEmpty();
        assertThat(MessageCodec.jobAttempt("[1, 2]".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void unknownSchemaVersionOfAWorkerMessageIsRejectedNamingTheVersion() {
        ObjectNode tree = tree(MessageCodec.encode(success()));
        tree.put("schema", 99);

        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes(tree)))
                .isInstanceOf(UndecodableMessageException.class)
                .hasMessageContaining("99");
    }

    @Test
    void missingSchemaVersionIsRejected() {
        ObjectNode tree = tree(MessageCodec.encode(heartbeat()));
        tree.remove("schema");

        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes(tree)))
                .isInstanceOf(UndecodableMessageException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "not json", "{\"schema\":", "null", "[1,2,3]", "42"})
    void garbageIsRejectedAsUndecodable(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> MessageCodec.decodeJob(bytes)).isInstanceOf(UndecodableMessageException.class);
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes)).isInstanceOf(UndecodableMessageException.class);
    }

    @Test
    void binaryGarbageIsRejectedAsUndecodable() {
        byte[] bytes = {(byte) 0xff, (byte) 0xfe, 0x00, 0x13, (byte) 0x80, 0x7b};
        assertThatThrownBy(() -> MessageCodec.decodeJob(bytes)).isInstanceOf(UndecodableMessageException.class);
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes)).isInstanceOf(UndecodableMessageException.class);
    }

    @Test
    void workerMessageWithoutOrWithAnUnknownTypeIsRejected() {
        ObjectNode untyped = tree(MessageCodec.encode(claim()));
        untyped.remove("type");
        ObjectNode unknown = tree(MessageCodec.encode(claim()));
        unknown.put("type", "self-destruct");

        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes(untyped)))
                .isInstanceOf(UndecodableMessageException.class);
        assertThatThrownBy(() -> MessageCodec.decodeWorkerMessage(bytes(unknown)))
                .isInstanceOf(UndecodableMessageException.class);
    }

    @Test
    void unknownExtraFieldsFromANewerSenderAreTolerated() {
        ObjectNode jobTree = tree(MessageCodec.encode(job()));
        jobTree.put("priority", 5);
        jobTree.putObject("trace").put("id", "abc");
        ((ObjectNode) jobTree.get("benchmark")).put("warmup_requests", 3);
        ObjectNode claimTree = tree(MessageCodec.encode(claim()));
        claimTree.put("container_id", "f00d");

        assertThat(MessageCodec.decodeJob(bytes(jobTree))).isEqualTo(job());
        assertThat(MessageCodec.decodeWorkerMessage(bytes(claimTree))).isEqualTo(claim());
    }

    @Test
    void encodedMessagesUseTheRecordFieldNames() {
        JsonNode job = tree(MessageCodec.encode(job()));
        assertThat(job.get("experimentId").longValue()).isEqualTo(1234);
        assertThat(job.get("parameters").get("tp-size").longValue()).isEqualTo(2);
        assertThat(job.get("benchmark").get("trafficScenarios").get(1).stringValue()).isEqualTo("N(480,240)/(300,150)");
    }

    @Test
    void jobQueueNamesFollowTheGpuCount() {
        assertThat(Topology.jobQueue(1)).isEqualTo("jobs.gpus.1");
        assertThat(Topology.jobQueue(8)).isEqualTo("jobs.gpus.8");
        assertThatThrownBy(() -> Topology.jobQueue(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static ObjectNode tree(byte[] bytes) {
        return (ObjectNode) MAPPER.readTree(bytes);
    }

    private static byte[] bytes(JsonNode tree) {
        return MAPPER.writeValueAsBytes(tree);
    }
}
