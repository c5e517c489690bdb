package io.twinstream.simulator.publish;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.TimerPingSender;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttReturnCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One simulated MQTT client (a device or a gateway): Paho's async MQTT 5 client with TCP_NODELAY,
 * a retained {@code offline} Last Will on {@code devices/{id}/status}, at most {@code maxInFlight}
 * unacknowledged messages (Paho v5 fails, rather than waits, past the broker's Receive Maximum),
 * and its own reconnect with exponential backoff and jitter.
 *
 * <p>At least once: a QoS 1 message whose delivery fails (the connection dropped before the
 * PUBACK) is kept and published again once the connection is back, before anything new. The
 * session is clean on purpose: Paho's own resend of a persistent session, on top of new messages,
 * overran Mosquitto's Receive Maximum here and got the client disconnected for a protocol error.
 */
final class MqttConnection {

    private static final Logger LOG = LoggerFactory.getLogger(MqttConnection.class);
    private static final long MIN_BACKOFF_MS = 250;
    private static final long MAX_BACKOFF_MS = 30_000;
    private static final long UNROUTED_RETRY_MS = 200;

    private final String clientId;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions options;
    private final PublishStats stats;
    private final ScheduledExecutorService scheduler;
    private final java.util.concurrent.Executor connector;
    private final boolean jitter;
    private final boolean retryUnrouted;
    private final Object lock = new Object();
    private Semaphore inFlight;
    private int maxInFlight;
    private boolean connected;
    private boolean wanted = true;
    private int attempts;
    /** Connections made so far: a failed message is sent again on the connection after the one it failed on. */
    private long generation;

    private final List<Backlogged> backlog = new ArrayList<>();
    private final List<Backlogged> retry = new ArrayList<>();

    /**
     * @param scheduler times reconnect attempts and keep-alive pings
     * @param connector runs them: a Paho 1.2.5 connect blocks about 300 ms (it polls every 100 ms
     *                  for each of its three threads to start, paho.mqtt.java#1089), so many
     *                  connections come back only if many connect at once
     */
    MqttConnection(
            String url,
            String clientId,
            String username,
            char[] password,
            int maxInFlight,
            PublishStats stats,
            ScheduledExecutorService scheduler,
            java.util.concurrent.Executor connector,
            boolean jitter,
            boolean retryUnrouted)
            throws MqttException {
        this.clientId = clientId;
        this.stats = stats;
        this.scheduler = scheduler;
        this.connector = connector;
        this.jitter = jitter;
        this.retryUnrouted = retryUnrouted;
        this.maxInFlight = maxInFlight;
        this.inFlight = new Semaphore(maxInFlight);
        // Keep-alive pings on a shared scheduler: Paho's default is a Timer thread per client, and
        // threads, not sockets, limit how many device connections one process holds (3 per client remain).
        this.client = new MqttAsyncClient(url, clientId, new MemoryPersistence(), new TimerPingSender(scheduler), null);
        this.options = new MqttConnectionOptions();
        options.setSocketFactory(new NoDelaySocketFactory());
        options.setCleanStart(true);
        options.setKeepAliveInterval(60);
        options.setConnectionTimeout(30);
        options.setAutomaticReconnect(false);
        MqttMessage will = new MqttMessage("offline".getBytes(StandardCharsets.UTF_8));
        will.setQos(1);
        will.setRetained(true);
        options.setWill(statusTopic(), will);
        if (username != null) {
            options.setUserName(username);
            options.setPassword(new String(password).getBytes(StandardCharsets.UTF_8));
        }
        client.setCallback(new MqttCallbackAdapter() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {
                onConnectionLost(String.valueOf(response.getReasonString()));
            }

            @Override
            public void mqttErrorOccurred(MqttException exception) {
                stats.errors.increment();
                LOG.warn("{}: MQTT error: {}", clientId, exception.toString());
            }
        });
    }

    String statusTopic() {
        return "devices/" + clientId + "/status";
    }

    /** Connects (blocking) and announces {@code online}. */
    void connect() throws MqttException {
        IMqttToken token = client.connect(options);
        token.waitForCompletion(30_000);
        Integer receiveMaximum = token.getResponseProperties() == null
                ? null
                : token.getResponseProperties().getReceiveMaximum();
        synchronized (lock) {
            if (receiveMaximum != null && receiveMaximum < maxInFlight) {
                maxInFlight = receiveMaximum;
                inFlight = new Semaphore(receiveMaximum);
            }
            connected = true;
            wanted = true;
            attempts = 0;
            generation++;
            lock.notifyAll();
        }
        stats.connected.incrementAndGet();
        publish(statusTopic(), "online".getBytes(StandardCharsets.UTF_8), 1, true, 0);
        List<Backlogged> again;
        List<Backlogged> held;
        synchronized (lock) {
            again = new ArrayList<>(retry);
            retry.clear();
            held = new ArrayList<>(backlog);
            backlog.clear();
        }
        again.addAll(held);
        for (Backlogged b : again) {
            send(b.topic, b.payload, b.qos, b.retained, b.readings, b.firstTime);
        }
    }

    private record Backlogged(
            String topic, byte[] payload, int qos, boolean retained, int readings, boolean firstTime) {}

    /**
     * Publishes, waiting while the connection is down or {@code maxInFlight} messages are
     * unacknowledged: the simulator slows down instead of buffering without bound.
     */
    void publish(String topic, byte[] payload, int qos, boolean retained, int readings) {
        send(topic, payload, qos, retained, readings, true);
    }

    private void send(String topic, byte[] payload, int qos, boolean retained, int readings, boolean firstTime) {
        Semaphore permits;
        long sentOn;
        synchronized (lock) {
            if (!connected && !wanted) {
                // Simulated offline: the device keeps what it meant to send and sends it when back.
                backlog.add(new Backlogged(topic, payload, qos, retained, readings, firstTime));
                return;
            }
            while (!connected) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            permits = inFlight;
            sentOn = generation;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Backlogged message = new Backlogged(topic, payload, qos, retained, readings, false);
        try {
            transmit(message, permits, sentOn);
        } catch (MqttException e) {
            // Typically the connection dropped a moment ago and Paho refuses new messages before
            // our connection-lost callback has run.
            permits.release();
            LOG.debug("{}: publish failed: {}", clientId, e.toString());
            if (qos == 0) {
                stats.errors.increment(); // QoS 0: lost by definition
                return;
            }
            sendAgain(message, sentOn);
        }
        if (firstTime) { // handed over: sent now, or kept to be sent again
            stats.messages.increment();
            stats.readings.add(readings);
            stats.bytes.add(payload.length);
        }
    }

    /**
     * Hands one message to Paho; its in-flight permit is released once it is acknowledged and
     * routed, or once it failed (and was queued to be sent again).
     */
    private void transmit(Backlogged message, Semaphore permits, long sentOn) throws MqttException {
        client.publish(message.topic, message.payload, message.qos, message.retained, null, new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                if (retryUnrouted && !message.retained && isUnrouted(token)) {
                    stats.unrouted.increment();
                    // Keep the permit while waiting: a broker with nobody subscribed slows the
                    // device down instead of piling up readings in memory.
                    scheduler.schedule(
                            () -> transmitAgain(message, permits, sentOn), UNROUTED_RETRY_MS, TimeUnit.MILLISECONDS);
                    return;
                }
                permits.release();
                stats.acknowledged.increment();
            }

            @Override
            public void onFailure(IMqttToken token, Throwable exception) {
                permits.release();
                if (message.qos > 0) {
                    sendAgain(message, sentOn);
                } else {
                    stats.errors.increment(); // QoS 0: lost by definition
                }
            }
        });
    }

    private void transmitAgain(Backlogged message, Semaphore permits, long sentOn) {
        try {
            transmit(message, permits, sentOn);
        } catch (MqttException e) {
            permits.release();
            sendAgain(message, sentOn);
        }
    }

    /**
     * PUBACK reason 16, "no matching subscribers": the broker accepted the message and dropped it.
     * Mosquitto does not keep shared subscriptions over a restart, so right after one the ingest
     * group is not subscribed until its connections are back.
     */
    private static boolean isUnrouted(IMqttToken token) {
        int[] codes = token.getReasonCodes();
        return codes != null && codes.length > 0 && codes[0] == MqttReturnCode.RETURN_CODE_NO_MATCHING_SUBSCRIBERS;
    }

    /**
     * A QoS 1 message that was not acknowledged on connection {@code sentOn} is sent again: by the
     * next {@link #connect()} if that connection is still the latest, at once (on the connector,
     * never on Paho's callback thread, which must not wait for permits) if a new one is up already.
     */
    private void sendAgain(Backlogged message, long sentOn) {
        stats.retried.increment();
        synchronized (lock) {
            if (generation == sentOn) {
                retry.add(message);
                return;
            }
        }
        try {
            connector.execute(
                    () -> send(message.topic, message.payload, message.qos, message.retained, message.readings, false));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stats.errors.increment(); // the publisher is closing: nothing will send it any more
        }
    }

    /**
     * Drops the TCP connection without DISCONNECT, so the broker publishes the Last Will. What the
     * device had in flight is acknowledged first (up to 5 s): it goes quiet after sending, not mid-send.
     */
    void dropWithoutGoodbye() {
        try {
            drain(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        synchronized (lock) {
            wanted = false;
            if (!connected) {
                return;
            }
            connected = false;
        }
        stats.connected.decrementAndGet();
        try {
            client.disconnectForcibly(0, 1, false);
        } catch (MqttException e) {
            LOG.debug("{}: forced disconnect: {}", clientId, e.toString());
        }
    }

    /** Waits until every published message is acknowledged, at most {@code timeoutMillis}. */
    boolean drain(long timeoutMillis) throws InterruptedException {
        Semaphore permits;
        int max;
        synchronized (lock) {
            permits = inFlight;
            max = maxInFlight;
        }
        if (permits.tryAcquire(max, timeoutMillis, TimeUnit.MILLISECONDS)) {
            permits.release(max);
            return true;
        }
        return false;
    }

    /**
     * Announces {@code offline} (retained) and disconnects cleanly: the end of a simulation is not a
     * failure. A device that is offline (by a simulated fault) at the end never sends what it held.
     *
     * @return how many held messages were never sent
     */
    int close() {
        int unsent;
        synchronized (lock) {
            wanted = false;
            unsent = backlog.size();
        }
        try {
            if (client.isConnected()) {
                client.publish(statusTopic(), "offline".getBytes(StandardCharsets.UTF_8), 1, true)
                        .waitForCompletion(5_000);
                client.disconnect(5_000).waitForCompletion(10_000);
            }
        } catch (MqttException e) {
            LOG.debug("{}: disconnect: {}", clientId, e.toString());
        } finally {
            try {
                client.close(true);
            } catch (MqttException e) {
                LOG.debug("{}: close: {}", clientId, e.toString());
            }
        }
        synchronized (lock) {
            if (connected) {
                connected = false;
                stats.connected.decrementAndGet();
            }
        }
        return unsent;
    }

    boolean isConnected() {
        synchronized (lock) {
            return connected;
        }
    }

    private void onConnectionLost(String reason) {
        boolean reconnect;
        synchronized (lock) {
            if (connected) {
                connected = false;
                stats.connected.decrementAndGet();
            }
            reconnect = wanted;
        }
        if (reconnect) {
            LOG.info("{}: connection lost ({}); reconnecting", clientId, reason);
            scheduleReconnect();
        }
    }

    /**
     * A device back from a simulated outage reconnects now, on the caller's thread, so its
     * {@code online} and anything it sends later keep their place in the stream; if the broker
     * refuses, it falls back to the reconnect with backoff.
     */
    void comeBack() {
        synchronized (lock) {
            if (connected) {
                return;
            }
            wanted = true;
        }
        try {
            connect();
        } catch (MqttException | RuntimeException e) {
            LOG.debug("{}: reconnect failed: {}", clientId, e.toString());
            scheduleReconnect();
        }
    }

    /** Reconnects after min(30 s, 250 ms × 2^attempt), times 0.5-1.5 when jitter is on. */
    void scheduleReconnect() {
        long delay;
        synchronized (lock) {
            delay = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS << Math.min(attempts, 16));
            attempts++;
            wanted = true;
        }
        if (jitter) {
            delay = (long) (delay * (0.5 + ThreadLocalRandom.current().nextDouble()));
        }
        scheduler.schedule(() -> connector.execute(this::tryReconnect), delay, TimeUnit.MILLISECONDS);
    }

    private void tryReconnect() {
        synchronized (lock) {
            if (connected || !wanted) {
                return;
            }
        }
        try {
            connect();
            stats.reconnects.increment();
        } catch (MqttException | RuntimeException e) {
            // A scheduled task's exception would vanish silently: log it and try again later.
            LOG.debug("{}: reconnect failed: {}", clientId, e.toString());
            scheduleReconnect();
        }
    }
}
