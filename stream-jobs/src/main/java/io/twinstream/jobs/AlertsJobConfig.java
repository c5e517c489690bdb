package io.twinstream.jobs;

import io.twinstream.jobs.alerts.RuleException;
import io.twinstream.jobs.alerts.RuleSet;
import io.twinstream.jobs.alerts.RulesParser;
import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.jobs.sink.MqttAlertSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * The alerts job's configuration, read by {@link JobSettings} (a properties file, then
 * {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL}, {@code MQTT_URL} and {@code ALERTS_<KEY>} for any
 * key, then these defaults), validated so a bad value, or a rules file that does not parse, stops
 * the job before it is submitted, naming the key or the rule.
 *
 * @param kafkaBootstrap  {@code kafka.bootstrap}, default 127.0.0.1:9092
 * @param kafkaClient     {@code kafka.client.*}, as for the metrics job
 * @param readingsTopic   {@code kafka.readings-topic}, default telemetry.readings
 * @param deadLetterTopic {@code kafka.deadletter-topic}, as for the metrics job
 * @param maxFuture       {@code readings.max-future}, as for the metrics job
 * @param alertsTopic     {@code kafka.alerts-topic}: alert transitions as JSON, default telemetry.alerts
 * @param rulesTopic      {@code kafka.rules-topic}: rules files replacing the current rules while
 *                        the job runs (the newest record wins), default telemetry.rules
 * @param groupId         {@code kafka.group-id}, default twinstream-alerts
 * @param influx          {@code influx.*}, as for the metrics job
 * @param mqtt            {@code mqtt.url} (MQTT_URL, default tcp://127.0.0.1:1883; {@code none}: no
 *                        MQTT output), {@code mqtt.username}/{@code mqtt.password},
 *                        {@code mqtt.client-id} (twinstream-alerts), {@code mqtt.qos} (1),
 *                        {@code mqtt.max-pending} (10000: unacknowledged messages kept, in
 *                        checkpoints too, before the job is held back), {@code mqtt.retry-for}
 *                        (60s: how long it is held back before it fails); null when MQTT output is off
 * @param rulesSource     {@code rules.file}: the rules until the rules topic has some; default the
 *                        shipped demo rules ({@code classpath:rules/demo.yaml})
 * @param rulesText       that file's text, parsed and valid
 * @param outOfOrderness  {@code alerts.out-of-orderness}: how far behind the newest reading a
 *                        reading may come and still be evaluated in order; alerts wait this long
 *                        in event time. Default 30s (the demo scenario delays readings up to 20 s)
 * @param idleAfter       {@code alerts.idle-after}: time waiting for input (not backpressured)
 *                        without readings after which event time advances by itself (this also marks a silent fleet offline), default 10s
 * @param allowedLateness {@code alerts.allowed-lateness}: how far behind the watermark a reading is
 *                        still evaluated if in order for its device, default 60s (as the metrics job)
 * @param dedupMemory     {@code alerts.dedup-memory}, default 1h
 * @param offlineIntervals {@code offline.intervals}: silence of this many expected intervals makes a
 *                        device offline, default 3
 * @param offlineDefaultInterval {@code offline.default-interval}: the interval assumed until a
 *                        device has sent two readings, default 60s
 * @param offlineForgetAfter {@code offline.forget-after}: a device offline this long is forgotten (its
 *                        state goes; its next reading makes it online as a new device), so ids that
 *                        come and go do not pile up in state, default 1h
 * @param checkpointInterval {@code checkpoint.interval}, default 10s
 * @param checkpointDir   {@code checkpoint.dir}, see {@link JobSettings#checkpointDir()}
 */
public record AlertsJobConfig(
        String kafkaBootstrap,
        KafkaClientProperties kafkaClient,
        String readingsTopic,
        String deadLetterTopic,
        Duration maxFuture,
        String alertsTopic,
        String rulesTopic,
        String groupId,
        InfluxSink.Settings influx,
        MqttAlertSink.Settings mqtt,
        String rulesSource,
        String rulesText,
        Duration outOfOrderness,
        Duration idleAfter,
        Duration allowedLateness,
        Duration dedupMemory,
        int offlineIntervals,
        Duration offlineDefaultInterval,
        Duration offlineForgetAfter,
        Duration checkpointInterval,
        String checkpointDir)
        implements Serializable, ReadingsSource.ReadingsJob {

    /** The rules shipped with the job: one per anomaly episode of the demo scenario. */
    public static final String DEMO_RULES = "classpath:rules/demo.yaml";

    private static final Set<String> KEYS = JobSettings.commonKeysAnd(
            "kafka.alerts-topic",
            "kafka.rules-topic",
            "mqtt.url",
            "mqtt.username",
            "mqtt.password",
            "mqtt.client-id",
            "mqtt.qos",
            "mqtt.retry-for",
            "mqtt.max-pending",
            "rules.file",
            "alerts.out-of-orderness",
            "alerts.idle-after",
            "alerts.allowed-lateness",
            "alerts.dedup-memory",
            "offline.intervals",
            "offline.default-interval",
            "offline.forget-after");

    /** Every key the alerts job reads (and as {@code ALERTS_<KEY>}), besides {@code kafka.client.*}. */
    public static Set<String> keys() {
        return KEYS;
    }

    public AlertsJobConfig {
        if (outOfOrderness.isNegative() || allowedLateness.isNegative()) {
            throw new IllegalArgumentException(
                    "alerts.out-of-orderness and alerts.allowed-lateness must not be negative");
        }
        if (idleAfter.isZero()
                || dedupMemory.isZero()
                || offlineDefaultInterval.isZero()
                || offlineForgetAfter.isZero()) {
            throw new IllegalArgumentException("alerts.idle-after, alerts.dedup-memory, offline.default-interval and"
                    + " offline.forget-after must be above zero");
        }
        if (offlineIntervals < 1) {
            throw new IllegalArgumentException("offline.intervals must be at least 1, was " + offlineIntervals);
        }
    }

    /** The initial rules, parsed (they were validated when the configuration was read). */
    public RuleSet rules() {
        return RulesParser.parse(rulesSource, rulesText);
    }

    public static AlertsJobConfig load(Path file, Map<String, String> environment) throws IOException {
        return of(JobSettings.load(file, environment, "ALERTS", KEYS));
    }

    public static AlertsJobConfig load(Properties file, Map<String, String> environment) throws IOException {
        return of(JobSettings.load(file, environment, "ALERTS", KEYS));
    }

    private static AlertsJobConfig of(JobSettings settings) throws IOException {
        String rulesSource = settings.text("rules.file", DEMO_RULES);
        String rulesText = readRules(rulesSource);
        try {
            RulesParser.parse(rulesSource, rulesText);
        } catch (RuleException e) {
            throw new IllegalArgumentException("rules.file: " + e.getMessage(), e);
        }
        String mqttUrl = settings.text("mqtt.url", "tcp://127.0.0.1:1883");
        MqttAlertSink.Settings mqtt = mqttUrl.equals("none")
                ? null
                : new MqttAlertSink.Settings(
                        mqttUrl,
                        settings.optional("mqtt.username"),
                        settings.optional("mqtt.password"),
                        settings.text("mqtt.client-id", "twinstream-alerts"),
                        settings.integer("mqtt.qos", 1),
                        settings.duration("mqtt.retry-for", Duration.ofSeconds(60)),
                        settings.integer("mqtt.max-pending", 10_000));
        return new AlertsJobConfig(
                settings.kafkaBootstrap(),
                settings.kafkaClient(),
                settings.text("kafka.readings-topic", "telemetry.readings"),
                settings.deadLetterTopic(),
                settings.maxFuture(),
                settings.text("kafka.alerts-topic", "telemetry.alerts"),
                settings.text("kafka.rules-topic", "telemetry.rules"),
                settings.text("kafka.group-id", "twinstream-alerts"),
                settings.influx(),
                mqtt,
                rulesSource,
                rulesText,
                settings.duration("alerts.out-of-orderness", Duration.ofSeconds(30)),
                settings.duration("alerts.idle-after", Duration.ofSeconds(10)),
                settings.duration("alerts.allowed-lateness", Duration.ofSeconds(60)),
                settings.duration("alerts.dedup-memory", Duration.ofHours(1)),
                settings.integer("offline.intervals", 3),
                settings.duration("offline.default-interval", Duration.ofSeconds(60)),
                settings.duration("offline.forget-after", Duration.ofHours(1)),
                settings.checkpointInterval(),
                settings.checkpointDir());
    }

    private static String readRules(String source) throws IOException {
        if (source.startsWith("classpath:")) {
            String resource = source.substring("classpath:".length());
            try (InputStream in = AlertsJobConfig.class.getClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalArgumentException("rules.file: no resource " + resource + " on the classpath");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
        }
        Path path = Path.of(source);
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("rules.file: no file " + path.toAbsolutePath());
        }
        return Files.readString(path);
    }
}
