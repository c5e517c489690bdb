package io.twinstream.jobs.sink;

import io.twinstream.jobs.alerts.AlertTransition;
import io.twinstream.jobs.sink.MqttAlertSink.PendingAlert;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subtask's MQTT connection for {@link MqttAlertSink}. Everything runs on the task's thread
 * (writes, checkpoints and a 200 ms processing-time tick); Paho's threads only complete tokens,
 * which this thread then reads. Messages wait in {@link #pending} (in order) until acknowledged;
 * at most {@link #MAX_IN_FLIGHT} are unacknowledged at a time (Paho v5 fails, rather than waits,
 * past the broker's Receive Maximum). Connecting is asynchronous and retried with backoff, so a
 * broker that is away never blocks the task unless {@code maxPending} messages pile up.
 */
final class MqttAlertWriter implements StatefulSinkWriter<AlertTransition, PendingAlert> {

    private static final Logger LOG = LoggerFactory.getLogger(MqttAlertWriter.class);
    static final int MAX_IN_FLIGHT = 10;
    private static final long TICK_MS = 200;
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;

    /** A pending message and, while it is in flight, its token. */
    private static final class Entry {
        final PendingAlert message;
        IMqttToken token;

        Entry(PendingAlert message) {
            this.message = message;
        }
    }

    private final MqttAlertSink.Settings settings;
    private final ProcessingTimeService time;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions options;
    private final LinkedHashMap<Long, Entry> pending = new LinkedHashMap<>();
    private long nextId;
    private IMqttToken connecting;
    private long nextConnectAttempt;
    private long backoff = FIRST_BACKOFF_MS;
    private boolean reportedDown;
    private boolean closed;

    MqttAlertWriter(
            MqttAlertSink.Settings settings, int subtask, ProcessingTimeService time, Collection<PendingAlert> restored)
            throws IOException {
        this.settings = settings;
        this.time = time;
        String clientId = settings.clientIdPrefix() + "-" + subtask + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xffffff));
        try {
            client = new MqttAsyncClient(settings.url(), clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IOException("cannot create an MQTT client for " + settings.url() + ": " + e.getMessage(), e);
        }
        options = new MqttConnectionOptions();
        options.setCleanStart(true);
        options.setAutomaticReconnect(false); // reconnects happen here, where unacknowledged messages are resent
        options.setConnectionTimeout(10);
        if (settings.username() != null) {
            options.setUserName(settings.username());
            options.setPassword(settings.password().getBytes(StandardCharsets.UTF_8));
        }
        for (PendingAlert message : restored) {
            pending.put(nextId++, new Entry(message));
        }
        if (!restored.isEmpty()) {
            LOG.info("MQTT: {} alert messages from the checkpoint to publish again", restored.size());
        }
        progress();
        scheduleTick();
    }

    @Override
    public void write(AlertTransition transition, Context context) throws IOException {
        pending.put(nextId++, new Entry(new PendingAlert(MqttAlertSink.topic(transition), Json.alert(transition))));
        progress();
        if (pending.size() >= settings.maxPending()) {
            awaitBelow(
                    settings.maxPending(),
                    "more than " + settings.maxPending() + " alert messages wait for the broker");
        }
    }

    /**
     * Publishes what it can now; a checkpoint keeps the rest (see {@link #snapshotState}). At the end
     * of input, waits.
     */
    @Override
    public void flush(boolean endOfInput) throws IOException {
        progress();
        if (endOfInput) {
            awaitBelow(1, "alert messages still wait for the broker at the end of input");
        }
    }

    @Override
    public List<PendingAlert> snapshotState(long checkpointId) {
        List<PendingAlert> state = new ArrayList<>(pending.size());
        for (Entry entry : pending.values()) {
            state.add(entry.message);
        }
        return state;
    }

    @Override
    public void close() throws MqttException {
        closed = true;
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

    /** Messages still waiting for the broker's acknowledgement (in flight or not yet sent). */
    int pendingCount() {
        return pending.size();
    }

    private void scheduleTick() {
        time.registerTimer(time.getCurrentProcessingTime() + TICK_MS, now -> {
            if (!closed) {
                progress();
                scheduleTick();
            }
        });
    }

    /** Retires acknowledged messages, takes failed ones back, (re)connects when due, sends what the window allows. */
    private void progress() {
        int inFlight = 0;
        for (Iterator<Map.Entry<Long, Entry>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Entry entry = it.next().getValue();
            if (entry.token == null) {
                continue;
            }
            if (entry.token.getException() != null) {
                entry.token = null; // lost with the connection: send again
            } else if (entry.token.isComplete()) {
                it.remove();
            } else {
                inFlight++;
            }
        }
        if (!client.isConnected()) {
            connectWhenDue();
            return;
        }
        if (reportedDown) {
            LOG.info(
                    "MQTT broker {} reachable again: publishing {} waiting alert messages",
                    settings.url(),
                    pending.size());
            reportedDown = false;
        }
        backoff = FIRST_BACKOFF_MS;
        for (Entry entry : pending.values()) {
            if (inFlight >= MAX_IN_FLIGHT) {
                break;
            }
            if (entry.token == null) {
                try {
                    MqttMessage message = new MqttMessage(entry.message.payload());
                    message.setQos(settings.qos());
                    entry.token = client.publish(entry.message.topic(), message);
                    inFlight++;
                } catch (MqttException e) {
                    LOG.debug("MQTT publish to {} failed: {}", entry.message.topic(), e.getMessage());
                    return; // the connection is gone: the next tick reconnects
                }
            }
        }
    }

    private void connectWhenDue() {
        if (connecting != null && !connecting.isComplete() && connecting.getException() == null) {
            return; // an attempt under way (a failed attempt's token has its exception but is never "complete")
        }
        if (connecting != null && connecting.getException() != null && !reportedDown) {
            reportedDown = true;
            LOG.warn(
                    "MQTT broker {} unreachable ({}); {} alert messages wait and are kept in checkpoints",
                    settings.url(),
                    connecting.getException().getMessage(),
                    pending.size());
        }
        long now = System.currentTimeMillis();
        if (now < nextConnectAttempt) {
            return;
        }
        try {
            for (Entry entry : pending.values()) {
                entry.token = null; // a new session: nothing is in flight on it
            }
            connecting = client.connect(options);
            nextConnectAttempt = now + backoff;
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        } catch (MqttException e) {
            nextConnectAttempt = now + backoff;
            backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            LOG.debug("MQTT connect to {} failed: {}", settings.url(), e.getMessage());
            return;
        }
    }

    /** Holds the task until fewer than {@code limit} messages wait, for up to the retry time; then fails. */
    private void awaitBelow(int limit, String why) throws IOException {
        long deadline = System.nanoTime() + settings.retryFor().toNanos();
        while (pending.size() >= limit) {
            if (System.nanoTime() - deadline >= 0) {
                throw new IOException(why + " for " + settings.retryFor() + " (broker " + settings.url()
                        + "); the job restarts from its last checkpoint, which keeps them");
            }
            progress();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the MQTT broker", e);
            }
        }
    }
}
