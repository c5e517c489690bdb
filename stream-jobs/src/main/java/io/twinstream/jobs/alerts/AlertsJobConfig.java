package io.twinstream.jobs.alerts;

import io.twinstream.jobs.config.JobSettings;
import io.twinstream.jobs.config.KafkaClientProperties;
import io.twinstream.jobs.sink.InfluxSink;
import io.twinstream.jobs.sink.MqttAlertSink;
import io.twinstream.jobs.source.ReadingsSource;
import io.twinstream.model.config.Setting;
import io.twinstream.model.config.SettingsTable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The alerts job's configuration, read by {@link JobSettings} (a properties file, then
 * {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL}, {@code MQTT_URL} and {@code ALERTS_<KEY>} for any
 * key, then the defaults), validated so a bad value, or a rules file that does not parse, stops
 * the job before it is submitted, naming the key or the rule. Each key is declared once, here or in
 * {@link JobSettings} ({@link Setting}: its default and meaning), and docs/configuration.md's table
 * is written from those declarations. {@code mqtt} is null when MQTT output is off; {@code rulesText}
 * is the text of {@code rulesSource}, parsed and valid.
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

    static final Setting<String> GROUP_ID =
            Setting.text("kafka.group-id", "twinstream-alerts", "the consumer group (its offsets)");
    static final Setting<String> ALERTS_TOPIC = Setting.text(
            "kafka.alerts-topic",
            "telemetry.alerts",
            "alert transitions as JSON (must exist: `infra/bin/twinstream topics`)");
    static final Setting<String> RULES_TOPIC = Setting.text(
            "kafka.rules-topic",
            "telemetry.rules",
            "rules files replacing the current rules while the job runs (the newest record wins; must exist)");
    static final Setting<String> MQTT_URL = Setting.text(
            "mqtt.url", "tcp://127.0.0.1:1883", "where alerts are published (`alerts/...`); `none`: no MQTT output");
    static final Setting<String> MQTT_USERNAME = Setting.text("mqtt.username", null, "login, with `mqtt.password`");
    static final Setting<String> MQTT_PASSWORD = Setting.text("mqtt.password", null, "login, with `mqtt.username`");
    static final Setting<String> MQTT_CLIENT_ID = Setting.text(
            "mqtt.client-id",
            "twinstream-alerts",
            "prefix of the client ids (each writer adds its subtask and a" + " random part)");
    static final Setting<Integer> MQTT_QOS = Setting.integer("mqtt.qos", 1, "the alerts' MQTT quality of service");
    static final Setting<Duration> MQTT_RETRY_FOR = Setting.duration(
            "mqtt.retry-for",
            Duration.ofSeconds(60),
            "how long the job is held back by an unreachable broker before it fails");
    static final Setting<Integer> MQTT_MAX_PENDING = Setting.integer(
            "mqtt.max-pending",
            10_000,
            "unacknowledged messages kept (in checkpoints too) before the job is held back");
    static final Setting<String> RULES_FILE = Setting.text(
            "rules.file",
            DEMO_RULES,
            "the rules until the rules topic has some: a file, or `classpath:` a resource (the shipped demo"
                    + " rules)");
    static final Setting<Duration> OUT_OF_ORDERNESS = Setting.duration(
            "alerts.out-of-orderness",
            Duration.ofSeconds(30),
            "how far behind the newest reading a reading may come and still be evaluated in order; alerts wait"
                    + " this long in event time (the demo scenario delays readings up to 20 s)");
    static final Setting<Duration> IDLE_AFTER = Setting.duration(
            "alerts.idle-after",
            Duration.ofSeconds(10),
            "as `metrics.idle-after`: a quiet partition read to its end stops holding event time back, and a"
                    + " task that has waited for input this long moves event time on (this also marks a silent"
                    + " fleet offline)");
    static final Setting<Duration> ALLOWED_LATENESS = Setting.duration(
            "alerts.allowed-lateness",
            Duration.ofSeconds(60),
            "how far behind the watermark a reading is still evaluated if in order for its device");
    static final Setting<Duration> DEDUP_MEMORY =
            Setting.duration("alerts.dedup-memory", Duration.ofHours(1), "how long a reading's identity is remembered");
    static final Setting<Integer> OFFLINE_INTERVALS =
            Setting.integer("offline.intervals", 3, "silence of this many expected intervals makes a device offline");
    static final Setting<Duration> OFFLINE_DEFAULT_INTERVAL = Setting.duration(
            "offline.default-interval",
            Duration.ofSeconds(60),
            "the interval assumed until a device has sent two readings");
    static final Setting<Duration> OFFLINE_FORGET_AFTER = Setting.duration(
            "offline.forget-after",
            Duration.ofHours(1),
            "a device offline this long is forgotten (its state goes; its next reading makes it online as a new"
                    + " device), so ids that come and go do not pile up in state");

    /** Every key of the alerts job, in the reference's order, besides {@code kafka.client.*}. */
    static final List<Setting<?>> SETTINGS = JobSettings.settings(
            GROUP_ID,
            List.of(
                    ALERTS_TOPIC,
                    RULES_TOPIC,
                    MQTT_URL,
                    MQTT_USERNAME,
                    MQTT_PASSWORD,
                    MQTT_CLIENT_ID,
                    MQTT_QOS,
                    MQTT_RETRY_FOR,
                    MQTT_MAX_PENDING,
                    RULES_FILE,
                    OUT_OF_ORDERNESS,
                    IDLE_AFTER,
                    ALLOWED_LATENESS,
                    DEDUP_MEMORY,
                    OFFLINE_INTERVALS,
                    OFFLINE_DEFAULT_INTERVAL,
                    OFFLINE_FORGET_AFTER));

    /** The reference's table of the job's keys, written from their declarations. */
    public static String settingsTable() {
        return SettingsTable.markdown("ALERTS", SETTINGS);
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
        return of(JobSettings.load(file, environment, "ALERTS", SETTINGS));
    }

    public static AlertsJobConfig load(Properties file, Map<String, String> environment) throws IOException {
        return of(JobSettings.load(file, environment, "ALERTS", SETTINGS));
    }

    private static AlertsJobConfig of(JobSettings settings) throws IOException {
        String rulesSource = settings.get(RULES_FILE);
        String rulesText = readRules(rulesSource);
        try {
            RulesParser.parse(rulesSource, rulesText);
        } catch (RuleException e) {
            throw new IllegalArgumentException("rules.file: " + e.getMessage(), e);
        }
        String mqttUrl = settings.get(MQTT_URL);
        MqttAlertSink.Settings mqtt = mqttUrl.equals("none")
                ? null
                : new MqttAlertSink.Settings(
                        mqttUrl,
                        settings.get(MQTT_USERNAME),
                        settings.get(MQTT_PASSWORD),
                        settings.get(MQTT_CLIENT_ID),
                        settings.get(MQTT_QOS),
                        settings.get(MQTT_RETRY_FOR),
                        settings.get(MQTT_MAX_PENDING));
        return new AlertsJobConfig(
                settings.kafkaBootstrap(),
                settings.kafkaClient(),
                settings.get(JobSettings.READINGS_TOPIC),
                settings.get(JobSettings.DEADLETTER_TOPIC),
                settings.get(JobSettings.MAX_FUTURE),
                settings.get(ALERTS_TOPIC),
                settings.get(RULES_TOPIC),
                settings.get(GROUP_ID),
                settings.influx(),
                mqtt,
                rulesSource,
                rulesText,
                settings.get(OUT_OF_ORDERNESS),
                settings.get(IDLE_AFTER),
                settings.get(ALLOWED_LATENESS),
                settings.get(DEDUP_MEMORY),
                settings.get(OFFLINE_INTERVALS),
                settings.get(OFFLINE_DEFAULT_INTERVAL),
                settings.get(OFFLINE_FORGET_AFTER),
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
