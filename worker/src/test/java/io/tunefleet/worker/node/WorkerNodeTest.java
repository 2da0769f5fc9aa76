package io.tunefleet.worker.node;

import static org.awaitility.Awaitility.await;

import io.tunefleet.common.message.Topology;
import io.tunefleet.worker.claim.LocalRabbit;
import io.tunefleet.worker.gpu.GpuInventories;
import io.tunefleet.worker.gpu.GpuPool;
import io.tunefleet.worker.runtime.RuntimeMode;
import io.tunefleet.worker.runtime.RuntimeRouter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

/**
 * A worker's heartbeat does not wait for nvidia-smi: on a host whose GPU another process uses, the
 * busy GPU is re-checked on every interval, and a nvidia-smi that takes seconds to answer (as on a
 * sick GPU) must not hold up the heartbeats, or the coordinator counts the worker lost. Against a
 * real RabbitMQ; under {@code CI=true} a missing broker fails the test, elsewhere it is skipped.
 */
class WorkerNodeTest {

    @TempDir
    Path dir;

    @Test
    void heartbeatsKeepTheirPaceWhileNvidiaSmiIsSlowToAnswer() throws Exception {
        LocalRabbit.require();
        Path slow = dir.resolve("slow");
        Path slowCallMade = dir.resolve("slow-call-made");
        Path smi = fakeNvidiaSmi(slow, slowCallMade);
        CachingConnectionFactory connections = WorkerNode.connectionFactory(LocalRabbit.BROKER);
        RabbitTemplate template = new RabbitTemplate(connections);
        GpuPool pool = new GpuPool(GpuInventories.fromSpec("nvidia-smi", smi.toString(), "node-test"),
                dir.resolve("locks"), Clock.systemUTC());
        WorkerNode node = new WorkerNode(WorkerSettings.defaults("w-heartbeat-" + UUID.randomUUID(), "h")
                .withHeartbeatInterval(Duration.ofMillis(200)), pool, connections,
                RuntimeRouter.standard(RuntimeMode.HOLD, Duration.ofSeconds(1)), Clock.systemUTC());
        try {
            node.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.foreignBusy() == 1);
            Files.writeString(slow, "3"); // every nvidia-smi call now takes 3 s
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(slowCallMade)); // a re-check waits on it
            LocalRabbit.purge(template, Topology.HEARTBEATS_QUEUE);

            // Five take a second at one per 200 ms; waiting behind the re-check, each would take 3 s or more.
            await("five heartbeats within 2 s at one per 200 ms").atMost(Duration.ofSeconds(2))
                    .until(() -> template.execute(channel -> channel.queueDeclarePassive(Topology.HEARTBEATS_QUEUE)
                            .getMessageCount()) >= 5);
        } finally {
            Files.deleteIfExists(slow);
            node.close();
            LocalRabbit.purge(template, Topology.HEARTBEATS_QUEUE);
            connections.destroy();
        }
    }

    /**
     * One GPU that another process fills (9 GB used, no process of ours); while {@code slow} exists,
     * each call first creates {@code slowCallMade}, then waits the seconds {@code slow} holds.
     */
    private Path fakeNvidiaSmi(Path slow, Path slowCallMade) throws Exception {
        Path smi = dir.resolve("nvidia-smi");
        Files.writeString(smi, """
                #!/bin/sh
                [ -f '%1$s' ] && touch '%3$s' && sleep "$(cat '%1$s')"
                case "$*" in
                  *--query-gpu=index,uuid,*) echo "0, GPU-%2$s, NVIDIA H200, 143771, 9000, 0" ;;
                  *--query-gpu=index,utilization*) echo "0, 0, 9000, 75.20" ;;
                  *--query-compute-apps*) ;;
                  "topo -m") printf '\\tGPU0\\tCPU Affinity\\tNUMA Affinity\\tGPU NUMA ID\\nGPU0\\t X \\t0-15\\t0\\t\\tN/A\\n' ;;
                  *) echo "unexpected arguments: $*" >&2; exit 2 ;;
                esac
                """.formatted(slow, UUID.randomUUID(), slowCallMade));
        Files.setPosixFilePermissions(smi, PosixFilePermissions.fromString("rwxr-xr-x"));
        return smi;
    }
}
