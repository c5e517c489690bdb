package io.twinstream.jobs.sink;

import io.twinstream.jobs.alerts.AlertTransition;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.Serializable;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * Alert transitions to MQTT, for field systems: topic {@code alerts/{domain}/{site}/{deviceId}},
 * payload the same JSON as on {@code telemetry.alerts} ({@link Json#alert}), not retained (they are
 * events; the current state is in InfluxDB).
 *
 * <p>At least once, without holding the job up: a message stays pending until the broker
 * acknowledges it, the pending ones are part of each checkpoint (writer state) and are published
 * again after a restore and after a reconnect. A broker that is away therefore delays only the
 * MQTT copies: Kafka, InfluxDB and the checkpoints go on. Only when {@code maxPending} messages
 * are waiting does the writer hold the job back, and when that lasts {@code retryFor} the job fails
 * (and restarts from its checkpoint, the pending messages with it). A restart or reconnect can
 * publish a transition a second time: subscribers that must not act twice de-duplicate by
 * (rule, deviceId, state, ts).
 */
public final class MqttAlertSink
        implements Sink<AlertTransition>, SupportsWriterState<AlertTransition, MqttAlertSink.PendingAlert> {

    private static final long serialVersionUID = 1L;

    /** A message not yet acknowledged by the broker. */
    public record PendingAlert(String topic, byte[] payload) {}

    /**
     * @param url            e.g. tcp://127.0.0.1:1883
     * @param username       null for none
     * @param clientIdPrefix each writer connects as {@code <prefix>-<subtask>-<random>}
     * @param qos            0 or 1 (2 buys nothing here: a restart may publish again anyway)
     * @param retryFor       how long the writer may hold the job back with {@code maxPending} messages waiting
     * @param maxPending     unacknowledged messages kept before the writer holds the job back
     */
    public record Settings(
            String url,
            String username,
            String password,
            String clientIdPrefix,
            int qos,
            Duration retryFor,
            int maxPending)
            implements Serializable {
        public Settings {
            if (!url.matches("(tcp|ssl)://.+")) {
                throw new IllegalArgumentException(
                        "mqtt.url must look like tcp://host:1883 or ssl://host:8883, was '" + url + "'");
            }
            if ((username == null) != (password == null)) {
                throw new IllegalArgumentException("mqtt.username and mqtt.password go together");
            }
            if (!clientIdPrefix.matches("[A-Za-z0-9_.-]{1,40}")) {
                throw new IllegalArgumentException(
                        "mqtt.client-id must be 1-40 letters, digits, '_', '.', '-', was '" + clientIdPrefix + "'");
            }
            if (qos != 0 && qos != 1) {
                throw new IllegalArgumentException("mqtt.qos must be 0 or 1, was " + qos);
            }
            if (retryFor.isNegative()) {
                throw new IllegalArgumentException("mqtt.retry-for must not be negative");
            }
            if (maxPending < 1) {
                throw new IllegalArgumentException("mqtt.max-pending must be at least 1, was " + maxPending);
            }
        }

        /** Without the password: a configuration printed or logged must not give it away. */
        @Override
        public String toString() {
            return "Settings[url=" + url + ", username=" + username + ", password="
                    + (password == null ? "none" : "(hidden)")
                    + ", clientIdPrefix=" + clientIdPrefix + ", qos=" + qos + ", retryFor=" + retryFor
                    + ", maxPending=" + maxPending + "]";
        }
    }

    private final Settings settings;

    public MqttAlertSink(Settings settings) {
        this.settings = settings;
    }

    @Override
    public StatefulSinkWriter<AlertTransition, PendingAlert> createWriter(WriterInitContext context)
            throws IOException {
        return restoreWriter(context, List.of());
    }

    @Override
    public StatefulSinkWriter<AlertTransition, PendingAlert> restoreWriter(
            WriterInitContext context, Collection<PendingAlert> pending) throws IOException {
        return new MqttAlertWriter(
                settings, context.getTaskInfo().getIndexOfThisSubtask(), context.getProcessingTimeService(), pending);
    }

    @Override
    public SimpleVersionedSerializer<PendingAlert> getWriterStateSerializer() {
        return new PendingAlertSerializer();
    }

    /** The topic a transition is published to. */
    public static String topic(AlertTransition t) {
        return "alerts/" + t.domain() + "/" + t.site() + "/" + t.deviceId();
    }

    /** Version 1: the topic (modified UTF-8), the payload's length, the payload. */
    static final class PendingAlertSerializer implements SimpleVersionedSerializer<PendingAlert> {

        @Override
        public int getVersion() {
            return 1;
        }

        @Override
        public byte[] serialize(PendingAlert pending) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(pending.payload().length + 64);
            try (DataOutputStream out = new DataOutputStream(bytes)) {
                out.writeUTF(pending.topic());
                out.writeInt(pending.payload().length);
                out.write(pending.payload());
            }
            return bytes.toByteArray();
        }

        @Override
        public PendingAlert deserialize(int version, byte[] serialized) throws IOException {
            if (version != 1) {
                throw new IOException("unknown MQTT writer state version " + version);
            }
            try (DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(serialized))) {
                String topic = in.readUTF();
                byte[] payload = new byte[in.readInt()];
                in.readFully(payload);
                return new PendingAlert(topic, payload);
            }
        }
    }
}
