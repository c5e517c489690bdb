package io.twinstream.simulator.publish;

import io.twinstream.simulator.scenario.Scenario.ConnectionMode;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes a scenario's stream to an MQTT broker in simulated time: a message due at simulated
 * time t goes out at wall time start + (t - scenario start) / speed (at once with speed 0).
 * Each message goes through the connection of its device or gateway; a device's Last Will is
 * triggered by dropping its connection without DISCONNECT.
 *
 * <p>At-least-once at QoS 1: a message counts as delivered when the broker acknowledged it; a
 * connection that drops is re-established (backoff with jitter) and Paho sends the session's
 * unacknowledged messages again. The publisher never holds more than {@code maxInFlight}
 * unacknowledged messages per connection: when the broker is slow, simulated time slows down.
 */
public final class MqttPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(MqttPublisher.class);

    /**
     * @param url           broker URL, e.g. tcp://127.0.0.1:1883
     * @param jitter        randomize reconnect delays (off only to show a reconnect storm)
     * @param retryUnrouted keep a QoS 1 reading and publish it again while the broker answers
     *                      "no matching subscribers" (PUBACK reason 16), as a device that must reach
     *                      its backend does; see {@link MqttConnection}
     */
    public record Settings(
            String url, String username, char[] password, double speed, boolean jitter, boolean retryUnrouted) {
        public Settings(String url, String username, char[] password, double speed, boolean jitter) {
            this(url, username, password, speed, jitter, false);
        }

        public Settings withRetryUnrouted(boolean retry) {
            return new Settings(url, username, password, speed, jitter, retry);
        }
    }

    private final DeviceFleet fleet;
    private final Settings settings;
    private final PublishStats stats = new PublishStats();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "mqtt-timer");
        t.setDaemon(true);
        return t;
    });
    /** Paho 1.2.5 needs about 300 ms per connect, mostly sleeping: connect many at once. */
    private final ExecutorService connectors = Executors.newFixedThreadPool(CONNECT_THREADS, r -> {
        Thread t = new Thread(r, "mqtt-connect");
        t.setDaemon(true);
        return t;
    });

    private static final int CONNECT_THREADS = 128;
    private final MqttConnection[] connections;
    /** Marks the end of the stream in the queue between generator and publisher. */
    private static final int CHUNK = 256;

    private static final SimMessage END =
            new SimMessage(Long.MAX_VALUE, "", new byte[0], false, -1, SimMessage.Kind.STATUS, 0);
    private volatile boolean stopping;

    public MqttPublisher(DeviceFleet fleet, Settings settings) {
        this.fleet = fleet;
        this.settings = settings;
        this.connections = new MqttConnection[fleet.connectionCount()];
    }

    public PublishStats stats() {
        return stats;
    }

    /**
     * Opens every connection, 128 at a time.
     *
     * @throws MqttException from the first connection that fails: a broker that is not there, or
     *                       refuses the login, is an error at start rather than a retry loop
     */
    public void connectAll() throws MqttException, InterruptedException {
        int maxInFlight = fleet.scenario().publish().maxInFlight();
        List<Future<?>> pending = new ArrayList<>();
        try {
            for (int c = 0; c < connections.length; c++) {
                connections[c] = new MqttConnection(
                        settings.url(),
                        fleet.connectionId(c),
                        settings.username(),
                        settings.password(),
                        maxInFlight,
                        stats,
                        scheduler,
                        connectors,
                        settings.jitter(),
                        settings.retryUnrouted());
                MqttConnection connection = connections[c];
                pending.add(connectors.submit(() -> {
                    connection.connect();
                    return null;
                }));
            }
            for (Future<?> f : pending) {
                try {
                    f.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof MqttException mqtt) {
                        throw mqtt;
                    }
                    throw new IllegalStateException(e.getCause());
                }
            }
        } catch (MqttException | RuntimeException e) {
            pending.forEach(f -> f.cancel(true));
            throw e;
        }
    }

    /**
     * Publishes the whole stream; returns when it is over (or {@link #stop()} was called). The
     * stream is generated on a thread of its own, a few thousand messages ahead, so writing
     * payloads and publishing them overlap; the order is the generator's.
     */
    public void run(MessageGenerator generator) throws InterruptedException {
        long simStart = fleet.scenario().start().toEpochMilli();
        long wallStart = System.nanoTime();
        int qos = fleet.scenario().publish().qos();
        boolean deviceConnections = fleet.scenario().publish().connections() == ConnectionMode.DEVICE;
        // Handed over in chunks: a hand-over per message costs more than writing the message.
        BlockingQueue<List<SimMessage>> ahead = new ArrayBlockingQueue<>(16);
        Thread producer = new Thread(
                () -> {
                    try {
                        List<SimMessage> chunk = new ArrayList<>(CHUNK);
                        for (SimMessage m = generator.next(); m != null && !stopping; m = generator.next()) {
                            chunk.add(m);
                            if (chunk.size() == CHUNK) { // the generator is not paced: chunks fill at once
                                ahead.put(chunk);
                                chunk = new ArrayList<>(CHUNK);
                            }
                        }
                        chunk.add(END);
                        ahead.put(chunk);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                },
                "stream-generator");
        producer.setDaemon(true);
        producer.start();
        try {
            publishFrom(ahead, simStart, wallStart, qos, deviceConnections);
        } finally {
            producer.interrupt();
            producer.join(10_000);
        }
    }

    private void publishFrom(
            BlockingQueue<List<SimMessage>> ahead, long simStart, long wallStart, int qos, boolean deviceConnections)
            throws InterruptedException {
        while (!stopping) {
            for (SimMessage m : ahead.take()) {
                if (m == END || stopping) {
                    return;
                }
                publishOne(m, simStart, wallStart, qos, deviceConnections);
            }
        }
    }

    private void publishOne(SimMessage m, long simStart, long wallStart, int qos, boolean deviceConnections)
            throws InterruptedException {
        if (settings.speed() > 0) {
            long dueNanos = wallStart + (long) ((m.sendMillis() - simStart) * 1_000_000 / settings.speed());
            long wait = dueNanos - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
        }
        stats.simulatedMillis.set(m.sendMillis());
        MqttConnection connection = connections[m.connection()];
        if (deviceConnections && m.kind() == SimMessage.Kind.LAST_WILL) {
            connection.dropWithoutGoodbye(); // the broker publishes the device's Will
        } else if (deviceConnections && m.kind() == SimMessage.Kind.STATUS) {
            connection.comeBack(); // at once, in stream order: connect() announces online
        } else {
            connection.publish(
                    m.topic(),
                    m.payload(),
                    m.kind() == SimMessage.Kind.STATUS || m.kind() == SimMessage.Kind.LAST_WILL ? 1 : qos,
                    m.retained(),
                    m.readings());
        }
    }

    /**
     * A reconnect storm: every connection drops without goodbye at once and reconnects, with or
     * without jitter. Returns how long until all were connected again.
     */
    public long reconnectStorm() throws InterruptedException {
        long started = System.nanoTime();
        for (MqttConnection connection : connections) {
            connection.dropWithoutGoodbye();
        }
        for (MqttConnection connection : connections) {
            connection.scheduleReconnect();
        }
        while (stats.connected() < connections.length) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    }

    /** Waits (up to 60 s) until the broker acknowledged everything published so far. */
    public void drainAll() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        for (MqttConnection connection : connections) {
            if (connection != null && connection.isConnected()) {
                connection.drain(Math.max(1, deadline - System.currentTimeMillis()));
            }
        }
    }

    /** Stops publishing after the current message. */
    public void stop() {
        stopping = true;
    }

    /** Waits for acknowledgements (up to 30 s), then announces offline and disconnects every connection. */
    @Override
    public void close() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 30_000;
        for (MqttConnection connection : connections) {
            if (connection != null
                    && connection.isConnected()
                    && !connection.drain(Math.max(1, deadline - System.currentTimeMillis()))) {
                LOG.warn("unacknowledged messages remain on {} at shutdown", connection.statusTopic());
            }
        }
        ExecutorService closers =
                Executors.newFixedThreadPool(Math.min(CONNECT_THREADS, Math.max(1, connections.length)));
        for (MqttConnection connection : connections) {
            if (connection != null) {
                closers.submit(() -> stats.heldAtEnd.add(connection.close()));
            }
        }
        closers.shutdown();
        closers.awaitTermination(5, TimeUnit.MINUTES);
        scheduler.shutdownNow();
        connectors.shutdownNow();
    }
}
