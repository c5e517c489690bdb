package io.twinstream.ingest;

import io.twinstream.ingest.config.IngestConfig;
import io.twinstream.ingest.kafka.KafkaWriter;
import io.twinstream.ingest.metrics.IngestMetrics;
import io.twinstream.ingest.metrics.MetricsServer;
import io.twinstream.ingest.mqtt.BridgeConnection;
import io.twinstream.ingest.parse.DeviceBudget;
import io.twinstream.ingest.parse.PayloadParser;
import io.twinstream.ingest.parse.PayloadRejectedException;
import io.twinstream.ingest.parse.RejectReason;
import io.twinstream.model.Reading;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MQTT → Kafka bridge. Each MQTT message is parsed into readings and written to
 * {@code telemetry.readings}, or written as it came to {@code telemetry.deadletter} with the
 * reason; only when Kafka has acknowledged every record of it is the MQTT message acknowledged.
 * A failed Kafka write is tried again (backoff up to 30 s), never dropped.
 *
 * <p>Guarantee: at least once. A crash between the Kafka write and the MQTT acknowledgement means
 * the broker sends the message again: a duplicate reading, same device and seq, which the stream
 * jobs remove.
 *
 * <p>Order: the messages of every connection are parsed and handed to the Kafka producer by one
 * writer thread, in the order they arrived (Kafka's idempotent producer then keeps that order per
 * partition). A shared subscription spreads a device's and a gateway's messages over all the
 * connections, so with a worker per connection one connection's backlog could fall seconds behind
 * the others' under load, and its readings reached Kafka after newer ones: measured at 40,000
 * readings/s with two connections, up to 10.6 s out of arrival order, which the jobs' event time
 * sees as readings minutes late when a simulation runs 20 times faster than real time. The writer
 * cannot undo what happens before a message arrives: the broker queues each connection's share of
 * a shared subscription apart, and with two connections those queues still skewed readings by
 * 3.5 s at that rate; hence one connection by default ({@code mqtt.connections}).
 */
public final class Bridge implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Bridge.class);

    private final IngestConfig config;
    private final IngestMetrics metrics = new IngestMetrics();
    private final PayloadParser parser;
    /** The writer thread's: see {@link DeviceBudget}. */
    private final DeviceBudget devices;

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, daemon("ingest-timer"));
    private final List<BridgeConnection> connections = new ArrayList<>();
    /** Parses and writes every connection's messages in arrival order: see the class comment. */
    private final ExecutorService writer = Executors.newSingleThreadExecutor(daemon("ingest-writer"));

    private KafkaWriter kafka;
    private MetricsServer metricsServer;
    private volatile boolean closing;
    /** Messages refused over the device budget so far (the writer thread's). */
    private long overBudget;

    public Bridge(IngestConfig config) {
        this.config = config;
        this.parser = new PayloadParser(config.payloadLimits());
        this.devices = new DeviceBudget(config.maxDevices());
    }

    public IngestMetrics metrics() {
        return metrics;
    }

    /** The metrics port in use, or -1 when metrics are off. */
    public int metricsPort() {
        return metricsServer == null ? -1 : metricsServer.port();
    }

    /**
     * Starts the producer, the metrics endpoint and every connection.
     *
     * @throws MqttException if the broker is not there or refuses the login: a start-up error,
     *                       not something to retry silently
     */
    public void start() throws MqttException, IOException {
        kafka = new KafkaWriter(config);
        if (config.metricsPort() >= 0) {
            metricsServer = new MetricsServer(config.metricsPort(), metrics);
        }
        for (int i = 0; i < config.connections(); i++) {
            connections.add(new BridgeConnection(config, i, metrics, scheduler, (topic, message, acknowledge) -> {
                if (closing) {
                    return; // not acknowledged: the broker sends it again, to this group or this session
                }
                metrics.received.increment();
                metrics.inFlight.incrementAndGet();
                // The reception times in the writer's order: ingestedAt never goes back in a partition.
                synchronized (writer) {
                    long receivedAt = System.currentTimeMillis();
                    writer.execute(() -> handle(acknowledge, topic, message, receivedAt));
                }
            }));
        }
        for (BridgeConnection connection : connections) {
            connection.connect();
        }
        long every = config.statusInterval().toMillis();
        scheduler.scheduleAtFixedRate(this::logStatus, every, every, TimeUnit.MILLISECONDS);
        LOG.info(
                "ingest: {} connections to {} in {}, writing to {} at {}{}",
                connections.size(),
                config.mqttUrl(),
                config.sharedFilter(),
                config.readingsTopic(),
                config.kafkaBootstrap(),
                metricsServer == null ? "" : "; metrics on http://127.0.0.1:" + metricsServer.port() + "/metrics");
    }

    private void handle(Runnable acknowledge, String topic, MqttMessage message, long receivedAt) {
        List<Reading> readings;
        try {
            readings = parser.parse(topic, message.getPayload(), receivedAt);
            devices.admit(readings);
            metrics.devicesSeen.set(devices.seen());
        } catch (PayloadRejectedException rejected) {
            if (rejected.reason() == RejectReason.OVER_DEVICE_BUDGET) {
                overBudget++;
                if (overBudget == 1 || overBudget % 1000 == 0) {
                    LOG.warn(
                            "ingest: {} messages refused for new devices over ingest.max-devices ({}): {}",
                            overBudget,
                            config.maxDevices(),
                            rejected.getMessage());
                }
            }
            deadLetter(acknowledge, topic, message, rejected, receivedAt);
            return;
        }
        write(
                done -> kafka.writeReadings(readings, done),
                () -> finish(acknowledge, readings.size()),
                tooLarge -> deadLetter(
                        acknowledge,
                        topic,
                        message,
                        new PayloadRejectedException(
                                RejectReason.TOO_LARGE,
                                "a reading is larger than Kafka accepts: " + tooLarge.getMessage()),
                        receivedAt),
                0);
    }

    private void deadLetter(
            Runnable acknowledge,
            String topic,
            MqttMessage message,
            PayloadRejectedException rejected,
            long receivedAt) {
        metrics.deadLettered(rejected.reason());
        writeDeadLetter(acknowledge, topic, message, rejected, receivedAt, KafkaWriter.DEAD_LETTER_MAX_BYTES);
    }

    /**
     * Writes the dead letter with at most {@code keepBytes} of its payload. Refused as too large even
     * cut to DEAD_LETTER_MAX_BYTES (the topic's max.message.bytes is lower still), it is written once
     * more with the reason alone, without the payload, rather than retried in vain.
     */
    private void writeDeadLetter(
            Runnable acknowledge,
            String topic,
            MqttMessage message,
            PayloadRejectedException rejected,
            long receivedAt,
            int keepBytes) {
        write(
                done -> kafka.writeDeadLetter(topic, message.getPayload(), keepBytes, rejected, receivedAt, done),
                () -> finish(acknowledge, 0),
                tooLarge -> {
                    if (keepBytes == 0) {
                        throw new IllegalStateException("Kafka refuses even an empty dead letter", tooLarge);
                    }
                    LOG.warn(
                            "dead letter from {} refused by Kafka as too large ({}); writing it without its payload",
                            topic,
                            tooLarge.getMessage());
                    writeDeadLetter(acknowledge, topic, message, rejected, receivedAt, 0);
                },
                0);
    }

    /**
     * Runs a Kafka write; on failure runs it again after a backoff, on the writer. Messages behind it
     * go on meanwhile: Kafka refuses a write only when it is unreachable or the record is not
     * acceptable, and then the ones behind it fail as well. The one refusal that no retry can
     * change, a record larger than the producer or the topic accepts, goes to {@code onTooLarge}
     * instead (once: a 1.6 MB dead letter was retried every 30 s for good, never acknowledged).
     */
    private void write(
            Consumer<Consumer<Exception>> send, Runnable onSuccess, Consumer<Exception> onTooLarge, int attempt) {
        long started = System.nanoTime();
        send.accept(failure -> {
            if (failure == null) {
                metrics.kafkaSend((System.nanoTime() - started) / 1000);
                onSuccess.run();
                return;
            }
            if (failure instanceof RecordTooLargeException) {
                writer.execute(() -> onTooLarge.accept(failure));
                return;
            }
            metrics.kafkaRetries.increment();
            long delay = Math.min(30_000, 500L << Math.min(attempt, 6));
            LOG.warn("Kafka write failed ({}); trying again in {} ms", failure.toString(), delay);
            scheduler.schedule(
                    () -> writer.execute(() -> write(send, onSuccess, onTooLarge, attempt + 1)),
                    delay,
                    TimeUnit.MILLISECONDS);
        });
    }

    private void finish(Runnable acknowledge, int readings) {
        metrics.readingsWritten.add(readings);
        // Out of the in-flight count before the acknowledgement leaves: the broker may send the next
        // message the moment it has the acknowledgement, and the count must never exceed the
        // receive maximum (the bound BridgeFailuresIT holds it to). Shutdown waits on acknowledged.
        metrics.inFlight.decrementAndGet();
        acknowledge.run();
        metrics.acknowledged.increment();
    }

    /** Received and not yet acknowledged to the broker (in flight, or being acknowledged now). */
    private long unacknowledged() {
        long acknowledged = metrics.acknowledged.sum(); // first: both only grow, so this never undercounts
        return metrics.received.sum() - acknowledged;
    }

    private void logStatus() {
        LOG.info(
                "ingest: connected {}/{}, received {}, readings written {}, dead-lettered {}, in flight {}, "
                        + "Kafka retries {}, mean Kafka ack {} ms",
                metrics.connected.get(),
                connections.size(),
                metrics.received.sum(),
                metrics.readingsWritten.sum(),
                metrics.deadLetteredTotal(),
                metrics.inFlight.get(),
                metrics.kafkaRetries.sum(),
                String.format("%.1f", metrics.meanSendMillis()));
    }

    /**
     * Graceful shutdown: takes no new messages, waits (up to {@code drainTimeout}) until Kafka has
     * what is in flight and MQTT is acknowledged, then disconnects (the sessions stay at the broker).
     * With {@code mqtt.on-shutdown=leave-group} it first leaves the shared subscription, so the broker
     * routes to the other members; with {@code keep-subscription} what arrives from now on is left
     * unacknowledged, and the broker sends it again when this bridge's sessions come back.
     */
    public void shutdown(Duration drainTimeout) throws InterruptedException {
        LOG.info("ingest: shutting down; draining {} messages in flight", metrics.inFlight.get());
        if (config.leaveGroupOnShutdown()) {
            connections.forEach(BridgeConnection::leaveGroup);
        } else {
            closing = true;
        }
        long deadline = System.nanoTime() + drainTimeout.toNanos();
        while (unacknowledged() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        if (unacknowledged() > 0) {
            LOG.warn(
                    "ingest: {} messages still in flight at shutdown; the broker will send them again",
                    unacknowledged());
        }
        connections.forEach(connection -> connection.awaitAcknowledgementsDelivered(Duration.ofSeconds(5)));
        LOG.info("ingest: drained; {} messages acknowledged in all", metrics.acknowledged.sum());
        close();
    }

    @Override
    public void close() {
        closing = true;
        connections.forEach(BridgeConnection::close);
        writer.shutdownNow();
        scheduler.shutdownNow();
        if (kafka != null) {
            kafka.close();
        }
        if (metricsServer != null) {
            metricsServer.close();
        }
        logStatus();
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
