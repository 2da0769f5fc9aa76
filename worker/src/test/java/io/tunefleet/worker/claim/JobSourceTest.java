package io.tunefleet.worker.claim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.tunefleet.common.experiment.FailureClass;
import io.tunefleet.common.message.BatchMessage;
import io.tunefleet.common.message.ClaimMessage;
import io.tunefleet.common.message.JobMessage;
import io.tunefleet.common.message.MessageCodec;
import io.tunefleet.common.message.ResultMessage;
import io.tunefleet.common.message.Schema;
import io.tunefleet.common.message.Topology;
import io.tunefleet.common.message.WorkerMessage;
import io.tunefleet.worker.gpu.GpuInventories;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.gpu.GpuReservation;
import io.tunefleet.worker.node.WorkerNode;
import io.tunefleet.worker.runtime.Jobs;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reserve, then claim, a batch at a time, against a real RabbitMQ: each job is taken off its queue
 * only once GPUs were reserved for it, the batch's claims go out as one confirmed message, and what
 * could not be given GPUs stays in its queue. Under {@code CI=true} a missing broker fails the test;
 * elsewhere it is skipped, saying why.
 */
class JobSourceTest {

    private static final URI BROKER = LocalRabbit.BROKER;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path locks;
    private CachingConnectionFactory connections;
    private RabbitTemplate template;
    private GpuPool pool;
    private WorkerPublisher publisher;
    private JobSource source;
    private QueueHints hints;
    private final List<ResultMessage> refusals = new ArrayList<>();

    @BeforeEach
    void connect() {
        LocalRabbit.require();
        connections = WorkerNode.connectionFactory(BROKER);
        template = LocalRabbit.template(connections);
        publisher = new WorkerPublisher(template, Duration.ofSeconds(5));
        hints = new QueueHints(4);
        source = new JobSource(template, publisher, "w-test", "host-test", Clock.systemUTC(), task -> false, hints,
                refusals::add);
        source.declareQueues(4);
        LocalRabbit.purge(template, Topology.jobQueue(1), Topology.RESULTS_QUEUE, Topology.DEAD_LETTER_QUEUE);
        pool = new GpuPool(GpuInventories.fromSpec("sim:4", null, "jobsource"), locks, Clock.systemUTC());
    }

    @AfterEach
    void disconnect() {
        if (connections != null) {
            LocalRabbit.purge(template, Topology.jobQueue(1), Topology.RESULTS_QUEUE, Topology.DEAD_LETTER_QUEUE);
            connections.destroy();
        }
    }

    @Test
    void eachJobTakenHasItsOwnGpusAndTheBatchIsClaimedInOneMessage() {
        publisher.batching(true); // as once the coordinator said it reads batches
        for (int i = 1; i <= 5; i++) {
            publishJob(i);
        }

        List<JobSource.Claimed> claimed = source.take(1, () -> pool.tryReserve(1, "w-test"), 4);

        assertThat(claimed).hasSize(4);
        assertThat(claimed.stream().map(c -> c.reservation().indices().get(0)).distinct()).hasSize(4);
        assertThat(pool.free()).isZero();
        assertThat(waiting(Topology.jobQueue(1))).as("the fifth job had no GPUs: it stays queued").isEqualTo(1);
        List<WorkerMessage> sent = results();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0)).isInstanceOf(BatchMessage.class);
        List<WorkerMessage> claims = ((BatchMessage) sent.get(0)).messages();
        assertThat(claims).hasSize(4).allMatch(m -> m instanceof ClaimMessage);
        for (int i = 0; i < 4; i++) {
            ClaimMessage claim = (ClaimMessage) claims.get(i);
            assertThat(claim.experimentId()).isEqualTo(claimed.get(i).job().experimentId());
            assertThat(claim.gpuIndices()).isEqualTo(claimed.get(i).reservation().indices());
        }
    }

    @Test
    void untilTheCoordinatorSaysItReadsBatchesEachClaimGoesOnItsOwn() {
        for (int i = 1; i <= 3; i++) {
            publishJob(i);
        }

        assertThat(source.take(1, () -> pool.tryReserve(1, "w-test"), 4)).hasSize(3);
        assertThat(results()).hasSize(3).allMatch(m -> m instanceof ClaimMessage);
    }

    @Test
    void withNoGpusNothingIsTakenAndAnEmptyQueueGivesTheGpusBack() {
        publishJob(1);
        List<GpuReservation> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(pool.tryReserve(1, "someone-else").orElseThrow());
        }

        assertThat(source.take(1, () -> pool.tryReserve(1, "w-test"), 4)).isEmpty();
        assertThat(waiting(Topology.jobQueue(1))).as("never taken without GPUs").isEqualTo(1);

        held.forEach(GpuReservation::release);
        assertThat(source.take(1, () -> pool.tryReserve(1, "w-test"), 4)).hasSize(1);
        assertThat(pool.free()).as("the reservations that found the queue empty were given back").isEqualTo(3);
        assertThat(results()).hasSize(1).allMatch(m -> m instanceof ClaimMessage);
    }

    @Test
    void aTakeThatFailsHalfwayLeavesItsJobsQueuedAndTheNextTakeClaimsThem() {
        publisher.batching(true);
        for (int i = 1; i <= 3; i++) {
            publishJob(i);
        }
        int[] reservations = {0};
        Supplier<Optional<GpuReservation>> failsOnTheSecond = () -> {
            if (++reservations[0] == 2) {
                throw new IllegalStateException("nvidia-smi failed");
            }
            return pool.tryReserve(1, "w-test");
        };

        assertThatThrownBy(() -> source.take(1, failsOnTheSecond, 4)).hasMessageContaining("nvidia-smi failed");
        assertThat(pool.free()).as("the job taken before the failure gave its GPU back").isEqualTo(4);

        // Back in its queue once the broker has handled the closed channel (it does so after the close
        // returns), and not acked away by the next take's ack on a reused channel.
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting(Topology.jobQueue(1)) == 3);
        List<JobSource.Claimed> claimed = source.take(1, () -> pool.tryReserve(1, "w-test"), 4);
        assertThat(claimed).extracting(c -> c.job().experimentId()).containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(waiting(Topology.jobQueue(1))).isZero();
    }

    @Test
    void aQueueOnlyThePollPointsAtIsAskedItsLengthBeforeAnyGpuIsReserved() {
        int[] reservations = {0};
        Supplier<Optional<GpuReservation>> counting = () -> {
            reservations[0]++;
            return pool.tryReserve(1, "w-test");
        };
        hints.foundEmpty(1, hints.generation(1)); // asked before, and empty then
        hints.pollDue();

        assertThat(source.take(1, counting, 4)).isEmpty();
        assertThat(reservations[0]).as("an idle poll reserves nothing").isZero();
        assertThat(hints.worthAsking(1)).as("noted empty until jobs are announced").isFalse();

        hints.mayHaveJobs(List.of(1), 0, 0);
        assertThat(source.take(1, counting, 4)).as("announced, yet gone meanwhile").isEmpty();
        assertThat(reservations[0]).as("an announced queue is taken from at once, GPUs first").isEqualTo(1);
        assertThat(pool.free()).isEqualTo(4);

        sendJob(1); // and no announcement
        await().atMost(Duration.ofSeconds(5)).until(() -> waiting(Topology.jobQueue(1)) == 1);
        hints.pollDue();
        assertThat(source.take(1, counting, 4)).as("the poll finds a job nobody announced").hasSize(1);
    }

    @Test
    void anInvalidJobIsParkedOnceTheBrokerConfirmsItAndTheValidOnesAfterItAreClaimed() {
        // Its parameters need 2 GPUs, yet it says 1: no worker may run it.
        JobMessage invalid = Jobs.job("sim", Map.of("tp-size", 2), Jobs.smallBenchmark(), 60);
        template.send("", Topology.jobQueue(1), new Message(MessageCodec.encode(invalid), new MessageProperties()));
        publishJob(2);

        List<JobSource.Claimed> claimed = source.take(1, () -> pool.tryReserve(1, "w-test"), 4);

        assertThat(claimed).extracting(c -> c.job().experimentId()).containsExactly(2L);
        assertThat(pool.free()).as("the invalid job's reservation was given back").isEqualTo(3);
        assertThat(waiting(Topology.jobQueue(1))).isZero();
        Message parked = template.receive(Topology.DEAD_LETTER_QUEUE, 5_000);
        assertThat(parked).isNotNull();
        assertThat(MessageCodec.decodeJob(parked.getBody()).experimentId()).isEqualTo(invalid.experimentId());
        assertThat(parked.getMessageProperties().<String>getHeader(Topology.REASON_HEADER))
                .contains("parameters need 2 GPUs but the job says 1");
        assertThat(parked.getMessageProperties().<String>getHeader(Topology.SOURCE_QUEUE_HEADER))
                .isEqualTo(Topology.jobQueue(1));
        assertThat(refusals).as("its attempt is reported failed, so that its experiment does not wait for ever")
                .singleElement().satisfies(r -> {
                    assertThat(r.experimentId()).isEqualTo(invalid.experimentId());
                    assertThat(r.taskId()).isEqualTo(invalid.taskId());
                    assertThat(r.attempt()).isEqualTo(invalid.attempt());
                    assertThat(r.outcome()).isEqualTo(ResultMessage.Outcome.FAILED);
                    assertThat(r.failureClass()).as("not retryable: it would be refused again")
                            .isEqualTo(FailureClass.INVALID_CONFIG);
                    assertThat(r.error()).contains("refused by worker w-test", Topology.DEAD_LETTER_QUEUE,
                            "parameters need 2 GPUs but the job says 1");
                });
    }

    @Test
    void aJobOfAnotherSchemaVersionIsReportedFailedUnderItsOwnAttemptAndGarbageIsOnlyParked() {
        ObjectNode newer = (ObjectNode) JSON.readTree(MessageCodec.encode(new JobMessage(Schema.VERSION, 7, 41, 3, 1,
                "sim", "m", "latest", new TreeMap<>(), Jobs.smallBenchmark(), 60)));
        newer.put("schema", Schema.VERSION + 1);
        template.send("", Topology.jobQueue(1), new Message(JSON.writeValueAsBytes(newer), new MessageProperties()));
        template.send("", Topology.jobQueue(1), new Message("{not json".getBytes(), new MessageProperties()));
        publishJob(2);

        List<JobSource.Claimed> claimed = source.take(1, () -> pool.tryReserve(1, "w-test"), 4);

        assertThat(claimed).extracting(c -> c.job().experimentId()).containsExactly(2L);
        assertThat(waiting(Topology.DEAD_LETTER_QUEUE)).isEqualTo(2);
        assertThat(refusals).as("garbage names no attempt: parked, nothing reported").singleElement()
                .satisfies(r -> {
                    assertThat(List.of(r.taskId(), r.experimentId(), (long) r.attempt())).containsExactly(7L, 41L, 3L);
                    assertThat(r.failureClass()).isEqualTo(FailureClass.INVALID_CONFIG);
                    assertThat(r.error()).contains("unknown schema version " + (Schema.VERSION + 1));
                });
    }

    @Test
    void aDeadLetterTheBrokerRefusesIsReportedWithWhyAndTheChannelStaysOpen() {
        withRefusingQueue(full -> {
            String why = template.execute(channel -> {
                String notParked = DeadLetters.park(channel, full, null, "{}".getBytes(), Topology.jobQueue(1), "test",
                        Duration.ofSeconds(5));
                assertThat(channel.isOpen()).as("the original can still be settled on it").isTrue();
                return notParked;
            });
            assertThat(why).contains(full, "refused");
        });
    }

    @Test
    void aRefusedJobTheDeadLetterQueueWillNotTakeIsReportedThenDroppedAndDoesNotBlockItsQueue() {
        JobMessage invalid = Jobs.job("sim", Map.of("tp-size", 2), Jobs.smallBenchmark(), 60);
        template.send("", Topology.jobQueue(1), new Message(MessageCodec.encode(invalid), new MessageProperties()));
        template.send("", Topology.jobQueue(1), new Message("{not json".getBytes(), new MessageProperties()));
        publishJob(2);
        withRefusingQueue(full -> {
            JobSource refusing = new JobSource(template, publisher, "w-test", "host-test", Clock.systemUTC(),
                    task -> false, hints, refusals::add, full);

            List<JobSource.Claimed> claimed = refusing.take(1, () -> pool.tryReserve(1, "w-test"), 4);

            assertThat(claimed).as("the job behind the refused ones is claimed")
                    .extracting(c -> c.job().experimentId()).containsExactly(2L);
            assertThat(waiting(Topology.jobQueue(1))).as("neither refused job went back to its queue").isZero();
            assertThat(pool.free()).isEqualTo(3);
            assertThat(refusals).as("reported at once and confirmed, not left to the outbox").isEmpty();
            List<WorkerMessage> sent = results();
            assertThat(sent).filteredOn(m -> m instanceof ResultMessage).singleElement()
                    .satisfies(m -> {
                        ResultMessage r = (ResultMessage) m;
                        assertThat(r.experimentId()).isEqualTo(invalid.experimentId());
                        assertThat(r.outcome()).isEqualTo(ResultMessage.Outcome.FAILED);
                        assertThat(r.failureClass()).isEqualTo(FailureClass.INVALID_CONFIG);
                        assertThat(r.error()).contains("refused by worker w-test", "dropped", full,
                                "parameters need 2 GPUs but the job says 1");
                    });
            assertThat(sent).filteredOn(m -> m instanceof ClaimMessage).singleElement()
                    .satisfies(m -> assertThat(((ClaimMessage) m).experimentId()).isEqualTo(2L));
        });
    }

    /** Runs {@code body} with a queue that refuses every publish, as a capped dead-letter queue would. */
    private void withRefusingQueue(java.util.function.Consumer<String> body) {
        String full = "tunefleet.test.refusing";
        template.execute(channel -> {
            channel.queueDelete(full);
            channel.queueDeclare(full, false, false, true, Map.of("x-max-length", 0, "x-overflow", "reject-publish"));
            return null;
        });
        try {
            body.accept(full);
        } finally {
            template.execute(channel -> channel.queueDelete(full));
        }
    }

    /** A job as the coordinator publishes it: sent, then announced. */
    private void publishJob(long experimentId) {
        sendJob(experimentId);
        hints.mayHaveJobs(List.of(1), 0, 0);
    }

    private void sendJob(long experimentId) {
        LocalRabbit.sendJob(template, 7, experimentId, 60);
    }

    private int waiting(String queue) {
        Integer count = template.execute(channel -> channel.queueDeclarePassive(queue).getMessageCount());
        return count == null ? 0 : count;
    }

    /** Everything on the results queue now, decoded. */
    private List<WorkerMessage> results() {
        List<WorkerMessage> all = new ArrayList<>();
        Message m;
        while ((m = template.receive(Topology.RESULTS_QUEUE, 1_000)) != null) {
            all.add(MessageCodec.decodeWorkerMessage(m.getBody()));
        }
        return all;
    }
}
