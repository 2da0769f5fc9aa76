package io.tunefleet.launcher.fleetbench;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * The RabbitMQ server process when the broker runs on this host, so that the benchmark can say what
 * the broker costs per experiment beside the coordinator and the workers.
 */
final class LocalBroker {

    private LocalBroker() {
    }

    /**
     * CPU seconds the local RabbitMQ (Erlang's {@code beam.smp}) has used so far; -1 when the broker is
     * not on this host or its process cannot be read (another host, a container of its own).
     */
    static double cpuSeconds(URI broker) {
        if (!onThisHost(broker)) {
            return -1;
        }
        Optional<ProcessHandle> beam = ProcessHandle.allProcesses()
                .filter(p -> p.info().command().map(c -> c.endsWith("/beam.smp")).orElse(false))
                .findFirst();
        return beam.flatMap(p -> p.info().totalCpuDuration()).map(d -> d.toMillis() / 1000.0).orElse(-1.0);
    }

    private static boolean onThisHost(URI broker) {
        if (broker == null || broker.getHost() == null || !"amqp".equals(broker.getScheme())) {
            return false;
        }
        try {
            return InetAddress.getByName(broker.getHost()).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
