package io.tunefleet.worker.claim;

import com.rabbitmq.client.Channel;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.ChannelProxy;
import org.springframework.amqp.rabbit.connection.ConnectionFactory;
import org.springframework.amqp.rabbit.connection.RabbitUtils;
import org.springframework.amqp.rabbit.core.ChannelCallback;
import org.springframework.amqp.rabbit.support.RabbitExceptionTranslator;

/**
 * The channel jobs are taken on, kept out of Spring's channel cache: a job stays unacked on it while
 * its run starts, until its claim or its result is confirmed, and it can be acked only on the very
 * channel it came from, from whichever thread saw the confirm. Should the channel close, the broker
 * has put its unacked jobs back in their queues: their deliveries are not settled then (a delivery
 * tag means nothing on another channel), and the next take opens a new channel.
 */
final class JobChannel implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(JobChannel.class);

    private final ConnectionFactory connections;
    /** As Spring's cache handed it out; closed for real when it is given up. */
    private Channel cached;
    /** The broker's channel behind {@link #cached}, whose delivery tags the held jobs carry. */
    private Channel channel;

    JobChannel(ConnectionFactory connections) {
        this.connections = connections;
    }

    /** Runs {@code work} on the open channel, opening a new one when the last one closed. */
    synchronized <T> T execute(ChannelCallback<T> work) {
        try {
            return work.doInRabbit(open());
        } catch (Exception e) {
            throw RabbitExceptionTranslator.convertRabbitAccessException(e);
        }
    }

    /** A job's delivery on this channel as it is now: to be acked or handed back later. */
    synchronized Delivery delivery(long tag) {
        return new Delivery(channel, tag);
    }

    /**
     * Acks the delivery; false when its channel has closed since, and with it the job went back to its
     * queue.
     */
    synchronized boolean ack(Delivery delivery) {
        return settle(delivery, true);
    }

    /** Hands the job back to its queue; false when its channel did so already by closing. */
    synchronized boolean requeue(Delivery delivery) {
        return settle(delivery, false);
    }

    private boolean settle(Delivery delivery, boolean ack) {
        if (delivery.channel() != channel || !channel.isOpen()) {
            return false;
        }
        try {
            if (ack) {
                delivery.channel().basicAck(delivery.tag(), false);
            } else {
                delivery.channel().basicNack(delivery.tag(), false, true);
            }
            return true;
        } catch (IOException | RuntimeException e) {
            log.warn("could not {} job delivery {} ({}); the channel closes and its jobs go back to their queues",
                    ack ? "ack" : "hand back", delivery.tag(), e.toString());
            return false;
        }
    }

    private Channel open() {
        if (channel == null || !channel.isOpen()) {
            giveUp();
            cached = connections.createConnection().createChannel(false);
            channel = cached instanceof ChannelProxy proxy ? proxy.getTargetChannel() : cached;
        }
        return channel;
    }

    private void giveUp() {
        if (cached != null) {
            RabbitUtils.setPhysicalCloseRequired(cached, true);
            RabbitUtils.closeChannel(cached);
            cached = null;
            channel = null;
        }
    }

    /** Closes the channel: the jobs still unacked on it go back to their queues. */
    @Override
    public synchronized void close() {
        giveUp();
    }

    /** A job taken on a channel and not settled yet. */
    record Delivery(Channel channel, long tag) {
    }
}
