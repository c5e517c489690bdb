package io.twinstream.jobs.sink;

import java.io.Serializable;
import java.time.Duration;

import io.twinstream.jobs.alerts.AlertTransition;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * Alert transitions to MQTT, for field systems: topic {@code alerts/{domain}/{site}/{deviceId}},
 * payload the same JSON as on {@code telemetry.alerts} ({@link Json#alert}), not retained (they are
 * events; the current state is in InfluxDB). At least once: every publish is acknowledged before a
 * checkpoint completes (the writer's flush), one whose acknowledgement never came is published
 * again after a reconnect, and a broker gone for longer than {@code retryFor} fails the job, which
 * restarts from its last checkpoint rather than drop an alert. A restart can therefore publish a
 * transition a second time: subscribers that must not act twice de-duplicate by (rule, deviceId,
 * state, ts).
 */
public final class MqttAlertSink implements Sink<AlertTransition> {

    private static final long serialVersionUID = 1L;

    /**
     * @param url            e.g. tcp://127.0.0.1:1883
     * @param username       null for none
     * @param clientIdPrefix each writer connects as {@code <prefix>-<subtask>-<random>}
     * @param qos            0 or 1 (2 buys nothing here: a restart may publish again anyway)
     * @param retryFor       how long a broker may be unreachable before the job fails
     */
    public record Settings(String url, String username, String password, String clientIdPrefix, int qos,
                           Duration retryFor) implements Serializable {
        public Settings {
            if (!url.matches("(tcp|ssl)://.+")) {
                throw new IllegalArgumentException("mqtt.url must look like tcp://host:1883 or ssl://host:8883, was '" + url + "'");
            }
            if ((username == null) != (password == null)) {
                throw new IllegalArgumentException("mqtt.username and mqtt.password go together");
            }
            if (!clientIdPrefix.matches("[A-Za-z0-9_.-]{1,40}")) {
                throw new IllegalArgumentException("mqtt.client-id must be 1-40 letters, digits, '_', '.', '-', was '"
                        + clientIdPrefix + "'");
            }
            if (qos != 0 && qos != 1) {
                throw new IllegalArgumentException("mqtt.qos must be 0 or 1, was " + qos);
            }
            if (retryFor.isNegative()) {
                throw new IllegalArgumentException("mqtt.retry-for must not be negative");
            }
        }
    }

    private final Settings settings;

    public MqttAlertSink(Settings settings) {
        this.settings = settings;
    }

    @Override
    public SinkWriter<AlertTransition> createWriter(WriterInitContext context) throws java.io.IOException {
        return new MqttAlertWriter(settings, context.getTaskInfo().getIndexOfThisSubtask());
    }

    /** The topic a transition is published to. */
    public static String topic(AlertTransition t) {
        return "alerts/" + t.domain() + "/" + t.site() + "/" + t.deviceId();
    }
}
