package io.twinstream.ingest.config;

import io.twinstream.ingest.parse.PayloadLimits;
import io.twinstream.model.Durations;
import io.twinstream.model.config.EnvironmentVariables;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The bridge's configuration: a properties file, then environment variables, then the defaults
 * below (also in docs/configuration.md). Validated here, so a bad value stops the bridge
 * at start with the key that is wrong.
 *
 * @param mqttUrl            {@code mqtt.url} / {@code MQTT_URL}, default tcp://127.0.0.1:1883
 * @param mqttUsername       {@code mqtt.username} / {@code MQTT_USERNAME}, default none
 * @param mqttPassword       {@code mqtt.password} / {@code MQTT_PASSWORD}
 * @param clientId           {@code mqtt.client-id}: prefix of the connections' client ids (each
 *                           gets {@code -<n>}); stable ids keep persistent sessions across restarts;
 *                           default {@code ingest-<hostname>}
 * @param connections        {@code mqtt.connections}: connections in the shared subscription, default 1.
 *                           The broker queues each member's share of the messages apart: under
 *                           load one queue falls seconds behind another, and readings reach Kafka
 *                           that much out of order (measured: 3.5 s with two at 40,000 readings/s).
 *                           One connection kept up as well here; more (or more bridges) need the
 *                           jobs' out-of-orderness to cover that skew
 * @param shareGroup         {@code mqtt.share-group}: default {@code ingest}
 * @param topicFilter        {@code mqtt.topic-filter}: default {@code telemetry/#}
 * @param receiveMaximum     {@code mqtt.receive-maximum}: unacknowledged messages the broker may
 *                           send each connection, the bridge's bound on in-flight; default 1000
 * @param maximumPacketSize  {@code mqtt.maximum-packet-size}: the largest MQTT packet the bridge takes,
 *                           announced to the broker when connecting, so no client can make it read
 *                           (and hold in flight) a packet of up to 256 MB, MQTT's own bound. A broker
 *                           drops a larger message for the bridge without telling its publisher
 *                           (Mosquitto logs "Dropping too large outgoing PUBLISH"): give the broker a
 *                           limit of its own just below it, which refuses such a message to its
 *                           publisher instead (the local stack and Compose do: 2 MiB). At least
 *                           {@code ingest.max-payload-bytes} + 64 KiB, so payloads between the two are
 *                           dead-lettered ({@code too-large}), not dropped; default 2 MiB + 64 KiB, or
 *                           that much above a larger {@code ingest.max-payload-bytes}
 * @param sessionExpiry      {@code mqtt.session-expiry}: how long the broker keeps the session (and
 *                           queues messages) while the bridge is away; default 1h
 * @param leaveGroupOnShutdown {@code mqtt.on-shutdown}: {@code leave-group} (default) unsubscribes
 *                           before draining, so the other members take over and nothing waits for a
 *                           bridge that may not come back (scale-down, new client ids); but if no
 *                           member is left, the broker drops what is published until one subscribes.
 *                           {@code keep-subscription} keeps the sessions subscribed, so the broker
 *                           queues this bridge's share until it returns with the same client id
 * @param mqttTrustStore     {@code mqtt.tls.truststore}: for {@code ssl://} URLs, a PKCS12 or JKS
 *                           trust store with the broker's CA; default the JVM's trusted CAs
 * @param mqttTrustStorePassword {@code mqtt.tls.truststore-password}, default none
 * @param kafkaBootstrap     {@code kafka.bootstrap} / {@code KAFKA_BOOTSTRAP}, default 127.0.0.1:9092
 * @param readingsTopic      {@code kafka.readings-topic}, default telemetry.readings
 * @param deadLetterTopic    {@code kafka.deadletter-topic}, default telemetry.deadletter
 * @param kafkaProperties    every {@code kafka.producer.*} key, passed to the producer (SASL, TLS ...)
 * @param payloadLimits      what one message may carry ({@link PayloadLimits}, defaults there):
 *                           {@code ingest.max-payload-bytes} (256 KiB), {@code ingest.max-clock-distance}
 *                           (366d: older timestamps are refused), {@code ingest.max-future} (1m: a
 *                           reading from the future moves the jobs' event time to it, and the rest of
 *                           the fleet's readings are then late by as much; within the jobs'
 *                           out-of-orderness and allowed lateness, 5 s + 60 s, they still count),
 *                           {@code ingest.max-metrics} (64 per reading), {@code ingest.max-abs-value} (1e15)
 * @param maxDevices         {@code ingest.max-devices}: distinct devices the bridge lets through; a message
 *                           bringing one more is dead-lettered ({@code over-device-budget}); 0 = no
 *                           budget; default 100000 ({@link io.twinstream.ingest.parse.DeviceBudget})
 * @param metricsPort        {@code metrics.port}: Prometheus /metrics on 127.0.0.1; 0 = a free port, -1 = off; default 9464
 * @param statusInterval     {@code status.interval}: the one-line status log, default 10s
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

    private static final Set<String> KEYS = Set.of(
            "mqtt.url",
            "mqtt.username",
            "mqtt.password",
            "mqtt.client-id",
            "mqtt.connections",
            "mqtt.share-group",
            "mqtt.topic-filter",
            "mqtt.receive-maximum",
            "mqtt.maximum-packet-size",
            "mqtt.session-expiry",
            "mqtt.on-shutdown",
            "mqtt.tls.truststore",
            "mqtt.tls.truststore-password",
            "kafka.bootstrap",
            "kafka.readings-topic",
            "kafka.deadletter-topic",
            "ingest.max-payload-bytes",
            "ingest.max-clock-distance",
            "ingest.max-future",
            "ingest.max-metrics",
            "ingest.max-abs-value",
            "ingest.max-devices",
            "metrics.port",
            "status.interval");

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

    /** Without secrets (MQTT and trust-store passwords, Kafka's JAAS config or passwords): it may be printed or logged. */
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

    /** Every key the bridge reads from a file (and as {@code INGEST_<KEY>}), besides {@code kafka.producer.*}. */
    public static Set<String> keys() {
        return KEYS;
    }

    public static IngestConfig defaults() {
        return load(new Properties(), Map.of());
    }

    /** Reads {@code file} (if given), then applies environment overrides. */
    public static IngestConfig load(Path file, Map<String, String> environment) throws IOException {
        Properties properties = new Properties();
        if (file != null) {
            try (Reader reader = Files.newBufferedReader(file)) {
                properties.load(reader);
            }
        }
        return load(properties, environment);
    }

    public static IngestConfig load(Properties file, Map<String, String> environment) {
        Map<String, String> values = new HashMap<>();
        Map<String, String> kafka = new HashMap<>();
        Set<String> unknown = new TreeSet<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith(KAFKA_PREFIX)) {
                kafka.put(key.substring(KAFKA_PREFIX.length()), file.getProperty(key));
            } else if (KEYS.contains(key)) {
                values.put(key, file.getProperty(key));
            } else {
                unknown.add(key);
            }
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown configuration keys " + unknown + "; known: "
                    + new TreeSet<>(KEYS) + " and kafka.producer.*");
        }
        // Environment: MQTT_URL, KAFKA_BOOTSTRAP ... and INGEST_<KEY> for any key (INGEST_MQTT_CONNECTIONS=4,
        // INGEST_MAX_FUTURE=2m), which wins; a variable under INGEST_ that names no key is refused.
        Map<String, String> environmentValues =
                EnvironmentVariables.read(environment, "INGEST", KEYS, KAFKA_PREFIX + "sasl.jaas.config");
        String login = environmentValues.remove(KAFKA_PREFIX + "sasl.jaas.config");
        if (login != null) {
            kafka.put("sasl.jaas.config", login);
        }
        values.putAll(environmentValues);
        return new IngestConfig(
                values.getOrDefault("mqtt.url", "tcp://127.0.0.1:1883"),
                values.get("mqtt.username"),
                values.get("mqtt.password"),
                values.getOrDefault("mqtt.client-id", "ingest-" + hostname()),
                integer(values, "mqtt.connections", 1),
                values.getOrDefault("mqtt.share-group", "ingest"),
                values.getOrDefault("mqtt.topic-filter", "telemetry/#"),
                integer(values, "mqtt.receive-maximum", 1000),
                // unset: room for the payload limit however it was raised
                integer(
                        values,
                        "mqtt.maximum-packet-size",
                        Math.max(
                                DEFAULT_MAXIMUM_PACKET_SIZE,
                                integer(values, "ingest.max-payload-bytes", PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES)
                                        + PACKET_OVERHEAD_BYTES)),
                duration(values, "mqtt.session-expiry", Duration.ofHours(1)),
                onShutdown(values.getOrDefault("mqtt.on-shutdown", "leave-group")),
                values.get("mqtt.tls.truststore"),
                values.get("mqtt.tls.truststore-password"),
                values.getOrDefault("kafka.bootstrap", "127.0.0.1:9092"),
                values.getOrDefault("kafka.readings-topic", "telemetry.readings"),
                values.getOrDefault("kafka.deadletter-topic", "telemetry.deadletter"),
                kafka,
                new PayloadLimits(
                        integer(values, "ingest.max-payload-bytes", PayloadLimits.DEFAULT_MAX_PAYLOAD_BYTES),
                        duration(values, "ingest.max-clock-distance", PayloadLimits.DEFAULT_MAX_CLOCK_DISTANCE),
                        duration(values, "ingest.max-future", PayloadLimits.DEFAULT_MAX_FUTURE),
                        integer(values, "ingest.max-metrics", PayloadLimits.DEFAULT_MAX_METRICS),
                        number(values, "ingest.max-abs-value", PayloadLimits.DEFAULT_MAX_ABS_VALUE)),
                integer(values, "ingest.max-devices", DEFAULT_MAX_DEVICES),
                integer(values, "metrics.port", 9464),
                duration(values, "status.interval", Duration.ofSeconds(10)));
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

    private static int integer(Map<String, String> values, String key, int defaultValue) {
        return parsed(values, key, defaultValue, Integer::parseInt, "a whole number");
    }

    private static double number(Map<String, String> values, String key, double defaultValue) {
        return parsed(values, key, defaultValue, Double::parseDouble, "a number such as 1e15");
    }

    /** The value under {@code key} read by {@code parse}, else the default; a bad one names the key. */
    private static <T> T parsed(
            Map<String, String> values, String key, T defaultValue, Function<String, T> parse, String expected) {
        String text = values.get(key);
        if (text == null) {
            return defaultValue;
        }
        try {
            return parse.apply(text.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " must be " + expected + ", was '" + text + "'");
        }
    }

    private static Duration duration(Map<String, String> values, String key, Duration defaultValue) {
        String text = values.get(key);
        return text == null ? defaultValue : Durations.parse(key, text);
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
