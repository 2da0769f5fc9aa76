package io.tunefleet.launcher.fleetbench;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;
import java.io.PrintStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentNavigableMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * {@code tunefleet bench broker}: what one message costs the broker on this machine, the floor under
 * the fleet's throughput. Publishes job-sized messages at a fixed rate to a scratch durable queue with
 * publisher confirms, a consumer acking each, once persistent and once transient, and reports the
 * confirm latency and, for a RabbitMQ on this host, its CPU per message. Every experiment costs the
 * broker a persistent job, a claim and a result (the last two shared with others in batch messages).
 */
public final class BrokerBenchmark {

    static final String QUEUE = "tunefleet.bench.broker";
    private static final int BODY_BYTES = 600;

    private final PrintStream out;
    private final URI broker;

    public BrokerBenchmark(PrintStream out, URI broker) {
        this.out = out;
        this.broker = broker;
    }

    /** One run per delivery mode; each publishes {@code rate} messages a second for {@code seconds}. */
    public List<Map<String, Object>> run(int rate, int seconds) throws Exception {
        if (rate < 1 || rate > 100_000 || seconds < 1 || seconds > 600) {
            throw new IllegalArgumentException("--rate must be 1..100000 and --seconds 1..600, got " + rate + " and "
                    + seconds);
        }
        List<Map<String, Object>> results = new ArrayList<>();
        results.add(measure(true, rate, seconds));
        results.add(measure(false, rate, seconds));
        out.printf("%n%-11s %8s %9s %14s %14s %14s %18s%n", "mode", "rate/s", "messages", "confirm p50 ms",
                "confirm p99 ms", "confirm max ms", "broker CPU ms/msg");
        for (Map<String, Object> r : results) {
            Object cpu = r.get("broker_cpu_ms_per_message");
            out.printf("%-11s %8d %9d %14.2f %14.2f %14.2f %18s%n", r.get("mode"), r.get("rate_per_s"),
                    r.get("messages"), r.get("confirm_p50_ms"), r.get("confirm_p99_ms"), r.get("confirm_max_ms"),
                    cpu == null ? "- (not local)" : String.format("%.3f", (Double) cpu));
        }
        return results;
    }

    private Map<String, Object> measure(boolean persistent, int rate, int seconds) throws Exception {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setUri(broker);
        try (Connection connection = factory.newConnection("tunefleet-bench-broker")) {
            Channel publisher = connection.createChannel();
            publisher.confirmSelect();
            publisher.queueDeclare(QUEUE, true, false, false, null);
            publisher.queuePurge(QUEUE);
            Channel consumer = connection.createChannel();
            consumer.basicQos(256);
            consumer.basicConsume(QUEUE, false, (tag, delivery) ->
                    consumer.basicAck(delivery.getEnvelope().getDeliveryTag(), false), tag -> { });
            ConcurrentNavigableMap<Long, Long> unconfirmed = new ConcurrentSkipListMap<>();
            List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
            publisher.addConfirmListener((seq, multiple) -> confirmed(unconfirmed, latencies, seq, multiple),
                    (seq, multiple) -> confirmed(unconfirmed, latencies, seq, multiple));
            AMQP.BasicProperties props = persistent ? MessageProperties.PERSISTENT_BASIC : MessageProperties.BASIC;
            byte[] body = new byte[BODY_BYTES];
            int messages = rate * seconds;
            double cpuBefore = LocalBroker.cpuSeconds(broker);
            long interval = 1_000_000_000L / rate;
            long next = System.nanoTime();
            for (int i = 0; i < messages; i++) {
                unconfirmed.put(publisher.getNextPublishSeqNo(), System.nanoTime());
                publisher.basicPublish("", QUEUE, props, body);
                next += interval;
                long wait = next - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
                }
            }
            publisher.waitForConfirms(10_000);
            Thread.sleep(200); // the consumer's last acks
            double cpuAfter = LocalBroker.cpuSeconds(broker);
            publisher.queueDelete(QUEUE);
            List<Double> nanos = new ArrayList<>(latencies).stream().map(Long::doubleValue).toList();
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("mode", persistent ? "persistent" : "transient");
            json.put("rate_per_s", rate);
            json.put("messages", messages);
            json.put("confirm_p50_ms", ms(FleetFigures.percentile(nanos, 50)));
            json.put("confirm_p99_ms", ms(FleetFigures.percentile(nanos, 99)));
            json.put("confirm_max_ms", ms(FleetFigures.percentile(nanos, 100)));
            if (cpuBefore >= 0 && cpuAfter >= 0) {
                json.put("broker_cpu_ms_per_message", Math.round((cpuAfter - cpuBefore) * 1e6 / messages) / 1000.0);
            }
            return json;
        }
    }

    private static void confirmed(ConcurrentNavigableMap<Long, Long> unconfirmed, List<Long> latencies, long seq,
                                  boolean multiple) {
        long now = System.nanoTime();
        var done = multiple ? unconfirmed.headMap(seq, true) : unconfirmed.subMap(seq, true, seq, true);
        done.values().forEach(sent -> latencies.add(now - sent));
        done.clear();
    }

    private static double ms(double nanos) {
        return Math.round(nanos / 10_000.0) / 100.0;
    }
}
