package io.twinstream.ingest.config;

import io.twinstream.ingest.parse.PayloadLimits;
import io.twinstream.model.config.Setting;
import io.twinstream.model.config.SettingValues;
import io.twinstream.model.config.SettingsTable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The bridge's configuration: a properties file, then environment variables, then the defaults.
 * Each key is declared once below ({@link Setting}: its default and meaning), and
 * docs/configuration.md's table is written from those declarations. Validated here, so a bad value
 * stops the bridge at start with the key that is wrong. {@code kafkaProperties} holds every
 * {@code kafka.producer.*} key, passed to the producer as it is (SASL, TLS, tuning).
 */
public record IngestConfig(
        String mqttUrl,
        String mqttUsername,
        String mqttPassword,
        String clientId,
        int connections,
        String shareGroup,
        String topicFilter,
        int receiveMaximum,
        int maximumPacketSize,
        Duration sessionExpiry,
        boolean leaveGroupOnShutdown,
        String mqttTrustStore,
        String mqttTrustStorePassword,
        String kafkaBootstrap,
        String readingsTopic,
        String deadLetterTopic,
        Map<String, String> kafkaProperties,
        PayloadLimits payloadLimits,
        int maxDevices,
        int metricsPort,
        Duration statusInterval) {

    /** Room for a packet's topic and properties above its payload. */
    static final int PACKET_OVERHEAD_BYTES = 64 * 1024;
    /** The local stack's and Compose's broker limit (2 MiB), and room above it. */
    public static final int DEFAULT_MAXIMUM_PACKET_SIZE = 2 * 1024 * 1024 + PACKET_OVERHEAD_BYTES;
    /** Far above a laptop's or a demo's fleet; about 10 MB of the bridge's heap when full. */
    public static final int DEFAULT_MAX_DEVICES = 100_000;
    /** MQTT's own bound: 268,435,455 bytes. */
    static final int MQTT_MAXIMUM_PACKET_SIZE = 268_435_455;

    // Each key once: its default and meaning, read by load() and written to docs/configuration.md.
    static final Setting<String> MQTT_URL = Setting.text("mqtt.url", "tcp://127.0.0.1:1883", "broker");
    static final Setting<String> MQTT_USERNAME = Setting.text("mqtt.username", null, "login, with `mqtt.password`");
    static final Setting<String> MQTT_PASSWORD = Setting.text("mqtt.password", null, "login, with `mqtt.username`");
    static final Setting<String> CLIENT_ID = Setting.text(
                    "mqtt.client-id",
                    null,
                    "prefix of the connections' client ids (each gets `-<n>`); keep it stable so sessions survive"
                            + " restarts")
            .defaultShownAs("`ingest-<hostname>`");
    static final Setting<Integer> CONNECTIONS = Setting.integer(
            "mqtt.connections",
            1,
            "members of the shared subscription in this process, 1-64. The broker queues each member's share"
                    + " apart, and under load one queue falls seconds behind another: readings then reach Kafka"
                    + " that much out of order (3.5 s measured with 2 at 40,000 readings/s, which a simulation at"
                    + " 20× turns into 70 s of event time). One connection kept up as well on this machine (see"
                    + " [benchmarks](benchmarks.md)); with more, or more bridge processes, give the jobs an"
                    + " out-of-orderness that covers the skew");
    static final Setting<String> SHARE_GROUP =
            Setting.text("mqtt.share-group", "ingest", "the subscription is `$share/<group>/<filter>`");
    static final Setting<String> TOPIC_FILTER =
            Setting.text("mqtt.topic-filter", "telemetry/#", "the subscription is `$share/<group>/<filter>`");
    static final Setting<Integer> RECEIVE_MAXIMUM = Setting.integer(
            "mqtt.receive-maximum",
            1000,
            "unacknowledged messages the broker may send each connection: the bound on in flight");
    static final Setting<Integer> MAXIMUM_PACKET_SIZE = Setting.integer(
                    "mqtt.maximum-packet-size",
                    DEFAULT_MAXIMUM_PACKET_SIZE,
                    "the largest packet the bridge takes, announced to the broker, so no client can make it read"
                            + " one of up to 256 MB (MQTT's bound). A broker drops a larger message for the bridge"
                            + " without telling its publisher: give the broker a limit just below it"
                            + " (`max_packet_size`; the local stack and Compose: 2 MiB), which refuses it to the"
                            + " publisher instead. At least `ingest.max-payload-bytes` + 64 KiB: payloads between"
                            + " the two are dead-lettered (`too-large`)")
            .defaultShownAs("2162688 (2 MiB + 64 KiB), or 64 KiB above a larger `ingest.max-payload-bytes`");
    static final Setting<Duration> SESSION_EXPIRY = Setting.duration(
            "mqtt.session-expiry",
            Duration.ofHours(1),
            "how long the broker keeps a session (and queues for it) while the bridge is away");
    static final Setting<String> ON_SHUTDOWN = Setting.text(
            "mqtt.on-shutdown",
            "leave-group",
            "on SIGTERM: `leave-group` unsubscribes first so the other members take over (nothing waits for a"
                    + " bridge that may not return: scale-down, changing client ids); `keep-subscription` keeps the"
                    + " sessions subscribed so the broker queues this bridge's share until it returns with the same"
                    + " client ids (one bridge restarted in place)");
    static final Setting<String> MQTT_TRUSTSTORE = Setting.text(
                    "mqtt.tls.truststore", null, "for `ssl://` URLs: a PKCS12 or JKS trust store with the broker's CA")
            .defaultShownAs("the JVM's CAs");
    static final Setting<String> MQTT_TRUSTSTORE_PASSWORD =
            Setting.text("mqtt.tls.truststore-password", null, "the trust store's password");
    static final Setting<String> KAFKA_BOOTSTRAP = Setting.text("kafka.bootstrap", "127.0.0.1:9092", "Kafka");
    static final Setting<String> READINGS_TOPIC =
            Setting.text("kafka.readings-topic", "telemetry.readings", "where readings go, keyed by device");
    static final Setting<String> DEADLETTER_TOPIC = Setting.text(
            "kafka.deadletter-topic", "telemetry.deadletter", "where refused messages go, with the reason");
    static final Setting<Integer> MAX_PAYLOAD_BYTES = Setting.integer(
            "ingest.max-payload-bytes",
            PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES,
            "larger messages are dead-lettered unread (`too-large`)");
    static final Setting<Duration> MAX_CLOCK_DISTANCE = Setting.duration(
            "ingest.max-clock-distance",
            PayloadLimits.DEFAULT_MAX_CLOCK_DISTANCE,
            "timestamps older than this are dead-lettered (`timestamp-out-of-range`)");
    static final Setting<Duration> MAX_FUTURE = Setting.duration(
            "ingest.max-future",
            PayloadLimits.DEFAULT_MAX_FUTURE,
            "timestamps more than this ahead of the bridge's clock are dead-lettered (`timestamp-in-future`):"
                    + " one reading from the future would move the jobs' event time to it, and the fleet's readings"
                    + " would be late by as much (the jobs tolerate 5 s + 60 s)");
    static final Setting<Integer> MAX_METRICS = Setting.integer(
            "ingest.max-metrics",
            PayloadLimits.DEFAULT_MAX_METRICS,
            "a reading with more metrics is dead-lettered (`too-many-metrics`): each metric is a window, a"
                    + " point and a series downstream");
    static final Setting<Double> MAX_ABS_VALUE = Setting.number(
            "ingest.max-abs-value",
            PayloadLimits.DEFAULT_MAX_ABS_VALUE,
            "a value of larger magnitude is dead-lettered (`value-out-of-range`): sums of values near 1e308"
                    + " overflow to infinity, which InfluxDB drops and JSON cannot carry");
    static final Setting<Integer> MAX_DEVICES = Setting.integer(
            "ingest.max-devices",
            DEFAULT_MAX_DEVICES,
            "distinct devices this bridge lets through since it started; a message bringing one more is"
                    + " dead-lettered (`over-device-budget`, logged, counted, `ingest_devices_seen`), known devices"
                    + " go on; 0 = no budget. Each device id is series in InfluxDB, state in both jobs and a line"
                    + " on the live page");
    static final Setting<Integer> METRICS_PORT =
            Setting.integer("metrics.port", 9464, "Prometheus `/metrics` on 127.0.0.1; 0 = any free port, -1 = off");
    static final Setting<Duration> STATUS_INTERVAL =
            Setting.duration("status.interval", Duration.ofSeconds(10), "the status log line");

    /** Every key of the bridge, in the reference's order. */
    static final List<Setting<?>> SETTINGS = List.of(
            MQTT_URL,
            MQTT_USERNAME,
            MQTT_PASSWORD,
            CLIENT_ID,
            CONNECTIONS,
            SHARE_GROUP,
            TOPIC_FILTER,
            RECEIVE_MAXIMUM,
            MAXIMUM_PACKET_SIZE,
            SESSION_EXPIRY,
            ON_SHUTDOWN,
            MQTT_TRUSTSTORE,
            MQTT_TRUSTSTORE_PASSWORD,
            KAFKA_BOOTSTRAP,
            READINGS_TOPIC,
            DEADLETTER_TOPIC,
            MAX_PAYLOAD_BYTES,
            MAX_CLOCK_DISTANCE,
            MAX_FUTURE,
            MAX_METRICS,
            MAX_ABS_VALUE,
            MAX_DEVICES,
            METRICS_PORT,
            STATUS_INTERVAL);

    public IngestConfig {
        kafkaProperties = Map.copyOf(kafkaProperties);
        if (!mqttUrl.matches("(tcp|ssl)://[^/]+")) {
            throw new IllegalArgumentException(
                    "mqtt.url must look like tcp://host:1883 or ssl://host:8883, was '" + mqttUrl + "'");
        }
        if ((mqttUsername == null) != (mqttPassword == null)) {
            throw new IllegalArgumentException("mqtt.username and mqtt.password go together");
        }
        if (!clientId.matches("[A-Za-z0-9_.-]{1,60}")) {
            throw new IllegalArgumentException(
                    "mqtt.client-id must be 1-60 letters, digits, '_', '.', '-', was '" + clientId + "'");
        }
        range("mqtt.connections", connections, 1, 64);
        range("mqtt.receive-maximum", receiveMaximum, 1, 65_535);
        int leastPacket = payloadLimits.maxPayloadBytes() + PACKET_OVERHEAD_BYTES;
        if (maximumPacketSize < leastPacket || maximumPacketSize > MQTT_MAXIMUM_PACKET_SIZE) {
            throw new IllegalArgumentException("mqtt.maximum-packet-size must be at least ingest.max-payload-bytes + "
                    + PACKET_OVERHEAD_BYTES + " (" + leastPacket + "), so a larger payload is dead-lettered rather than"
                    + " dropped by the broker, and at most " + MQTT_MAXIMUM_PACKET_SIZE + "; was " + maximumPacketSize);
        }
        if (!shareGroup.matches("[A-Za-z0-9_-]+")) {
            throw new IllegalArgumentException(
                    "mqtt.share-group must be letters, digits, '_', '-', was '" + shareGroup + "'");
        }
        if (topicFilter.isBlank() || topicFilter.startsWith("$share/")) {
            throw new IllegalArgumentException(
                    "mqtt.topic-filter must be a plain filter such as telemetry/#, was '" + topicFilter + "'");
        }
        if (mqttTrustStore != null && !mqttUrl.startsWith("ssl://")) {
            throw new IllegalArgumentException(
                    "mqtt.tls.truststore is set but mqtt.url is not ssl://, was '" + mqttUrl + "'");
        }
        if (mqttTrustStore != null && !Files.isReadable(Path.of(mqttTrustStore))) {
            throw new IllegalArgumentException("mqtt.tls.truststore " + mqttTrustStore + " is not a readable file");
        }
        if (kafkaBootstrap.isBlank()) {
            throw new IllegalArgumentException("kafka.bootstrap is empty");
        }
        range("ingest.max-devices", maxDevices, 0, Integer.MAX_VALUE);
        range("metrics.port", metricsPort, -1, 65_535);
    }

    /**
     * Without secrets (MQTT and trust-store passwords, Kafka's JAAS config or passwords): it may be
     * printed or logged.
     */
    @Override
    public String toString() {
        Map<String, String> kafka = new java.util.TreeMap<>();
        kafkaProperties.forEach((key, value) -> kafka.put(
                key,
                key.equals("sasl.jaas.config") || key.contains("password") || key.contains("secret")
                        ? "(hidden)"
                        : value));
        return "IngestConfig[mqttUrl=" + mqttUrl + ", mqttUsername=" + mqttUsername + ", mqttPassword="
                + (mqttPassword == null ? "none" : "(hidden)") + ", clientId=" + clientId + ", connections="
                + connections
                + ", shareGroup=" + shareGroup + ", topicFilter=" + topicFilter + ", receiveMaximum=" + receiveMaximum
                + ", maximumPacketSize=" + maximumPacketSize + ", sessionExpiry=" + sessionExpiry
                + ", leaveGroupOnShutdown=" + leaveGroupOnShutdown + ", mqttTrustStore=" + mqttTrustStore
                + ", kafkaBootstrap=" + kafkaBootstrap + ", readingsTopic=" + readingsTopic + ", deadLetterTopic="
                + deadLetterTopic + ", kafkaProperties=" + kafka + ", payloadLimits=" + payloadLimits + ", maxDevices="
                + maxDevices + ", metricsPort="
                + metricsPort + ", statusInterval=" + statusInterval + "]";
    }

    /** Where the producer's own settings are, passed to it as they are. */
    private static final String KAFKA_PREFIX = "kafka.producer.";

    /** The reference's table of the bridge's keys, written from their declarations. */
    public static String settingsTable() {
        return SettingsTable.markdown("INGEST", SETTINGS);
    }

    public static IngestConfig defaults() {
        return load(new Properties(), Map.of());
    }

    /** Reads {@code file} (if given), then applies environment overrides. */
    public static IngestConfig load(Path file, Map<String, String> environment) throws IOException {
        return load(SettingValues.file(file), environment);
    }

    public static IngestConfig load(Properties file, Map<String, String> environment) {
        // Environment: MQTT_URL, KAFKA_BOOTSTRAP ... and INGEST_<KEY> for any key (INGEST_MQTT_CONNECTIONS=4,
        // INGEST_MAX_FUTURE=2m), which wins; a variable under INGEST_ that names no key is refused.
        Map<String, String> values = SettingValues.read(file, environment, "INGEST", SETTINGS, KAFKA_PREFIX);
        Map<String, String> kafka = SettingValues.passedThrough(values, KAFKA_PREFIX);
        int maxPayloadBytes = MAX_PAYLOAD_BYTES.from(values);
        return new IngestConfig(
                MQTT_URL.from(values),
                MQTT_USERNAME.from(values),
                MQTT_PASSWORD.from(values),
                CLIENT_ID.from(values, "ingest-" + hostname()),
                CONNECTIONS.from(values),
                SHARE_GROUP.from(values),
                TOPIC_FILTER.from(values),
                RECEIVE_MAXIMUM.from(values),
                // unset: room for the payload limit however it was raised
                MAXIMUM_PACKET_SIZE.from(
                        values, Math.max(DEFAULT_MAXIMUM_PACKET_SIZE, maxPayloadBytes + PACKET_OVERHEAD_BYTES)),
                SESSION_EXPIRY.from(values),
                onShutdown(ON_SHUTDOWN.from(values)),
                MQTT_TRUSTSTORE.from(values),
                MQTT_TRUSTSTORE_PASSWORD.from(values),
                KAFKA_BOOTSTRAP.from(values),
                READINGS_TOPIC.from(values),
                DEADLETTER_TOPIC.from(values),
                kafka,
                new PayloadLimits(
                        maxPayloadBytes,
                        MAX_CLOCK_DISTANCE.from(values),
                        MAX_FUTURE.from(values),
                        MAX_METRICS.from(values),
                        MAX_ABS_VALUE.from(values)),
                MAX_DEVICES.from(values),
                METRICS_PORT.from(values),
                STATUS_INTERVAL.from(values));
    }

    /** The shared subscription every connection makes. */
    public String sharedFilter() {
        return "$share/" + shareGroup + "/" + topicFilter;
    }

    private static boolean onShutdown(String text) {
        return switch (text.strip()) {
            case "leave-group" -> true;
            case "keep-subscription" -> false;
            default ->
                throw new IllegalArgumentException(
                        "mqtt.on-shutdown must be leave-group or keep-subscription, was '" + text + "'");
        };
    }

    private static void range(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be between " + min + " and " + max + ", was " + value);
        }
    }

    private static String hostname() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName().replaceAll("[^A-Za-z0-9_.-]", "-");
        } catch (java.net.UnknownHostException e) {
            return "local";
        }
    }
}
