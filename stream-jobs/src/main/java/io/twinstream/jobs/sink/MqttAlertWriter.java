package io.twinstream.jobs.sink;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ThreadLocalRandom;

import io.twinstream.jobs.alerts.AlertTransition;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's MQTT connection for {@link MqttAlertSink}: publishes asynchronously with at most
 * {@link #MAX_IN_FLIGHT} unacknowledged messages (Paho v5 fails, rather than waits, past the broker's
 * Receive Maximum), keeps each until its acknowledgement, and on a lost connection reconnects and
 * publishes the unacknowledged ones again, in order, retrying for {@code retryFor}.
 */
final class MqttAlertWriter implements SinkWriter<AlertTransition> {

    private static final Logger LOG = LoggerFactory.getLogger(MqttAlertWriter.class);
    static final int MAX_IN_FLIGHT = 10;
    private static final long ACK_TIMEOUT_MS = 10_000;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;

    private record Pending(String topic, byte[] payload, IMqttToken token) {
    }

    private final MqttAlertSink.Settings settings;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions options;
    private final Deque<Pending> pending = new ArrayDeque<>();

    MqttAlertWriter(MqttAlertSink.Settings settings, int subtask) throws IOException {
        this.settings = settings;
        String clientId = settings.clientIdPrefix() + "-" + subtask + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        try {
            client = new MqttAsyncClient(settings.url(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("cannot create an MQTT client for " + settings.url() + ": " + e.getMessage(), e);
        }
        options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false); // reconnects happen here, where the unacknowledged are resent
        options.setConnectionTimeout(10);
        if (settings.username() != null) {
            options.setUserName(settings.username());
            options.setPassword(settings.password().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        retrying("connect", this::connect);
    }

    @Override
    public void write(AlertTransition transition, Context context) throws IOException {
        String topic = MqttAlertSink.topic(transition);
        byte[] payload = Json.alert(transition);
        retrying("publish to " + topic, () -> pending.add(new Pending(topic, payload, publish(topic, payload))));
        if (pending.size() >= MAX_IN_FLIGHT) {
            awaitOldest();
        }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
        while (!pending.isEmpty()) {
            awaitOldest();
        }
    }

    @Override
    public void close() throws Exception {
        try {
            if (client.isConnected()) {
                client.disconnect(2_000).waitForCompletion(2_000);
            }
        } catch (MqttException e) {
            LOG.debug("MQTT disconnect: {}", e.getMessage());
        } finally {
            client.close(true);
        }
    }

    private void awaitOldest() throws IOException {
        retrying("acknowledgement of " + pending.peek().topic(), () -> {
            Pending oldest = pending.peek();
            try {
                oldest.token().waitForCompletion(ACK_TIMEOUT_MS);
                pending.poll();
            } catch (MqttException lost) {
                resendAll();
                throw lost;
            }
        });
    }

    /** After a lost acknowledgement: reconnect and publish every unacknowledged message again, in order. */
    private void resendAll() throws MqttException {
        if (!client.isConnected()) {
            connect();
        }
        Deque<Pending> again = new ArrayDeque<>(pending.size());
        for (Pending p : pending) {
            again.add(new Pending(p.topic(), p.payload(), publish(p.topic(), p.payload())));
        }
        pending.clear();
        pending.addAll(again);
    }

    private IMqttToken publish(String topic, byte[] payload) throws MqttException {
        if (!client.isConnected()) {
            connect();
        }
        MqttMessage message = new MqttMessage(payload);
        message.setQos(settings.qos());
        return client.publish(topic, message);
    }

    private void connect() throws MqttException {
        client.connect(options).waitForCompletion(ACK_TIMEOUT_MS);
    }

    @FunctionalInterface
    private interface MqttAction {
        void run() throws MqttException;
    }

    /** Runs {@code action} until it succeeds, with backoff, for up to the settings' retry time. */
    private void retrying(String what, MqttAction action) throws IOException {
        long deadline = System.nanoTime() + settings.retryFor().toNanos();
        long backoff = FIRST_BACKOFF_MS;
        while (true) {
            try {
                action.run();
                return;
            } catch (MqttException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IOException("MQTT broker " + settings.url() + " failed " + what + " for "
                            + settings.retryFor() + ": " + e.getMessage() + "; the job restarts from its last checkpoint", e);
                }
                LOG.warn("MQTT {} failed ({}), retrying in {} ms", what, e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while retrying MQTT " + what, interrupted);
                }
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
    }
}
