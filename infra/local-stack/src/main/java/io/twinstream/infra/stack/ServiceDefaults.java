package io.twinstream.infra.stack;

/**
 * The ports, names and topics that Twinstream's components assume when nothing else is configured.
 * {@code infra/docker-compose.yml} publishes the services on exactly these ports (checked by a test),
 * and docs/configuration.md lists them.
 */
public final class ServiceDefaults {

    public static final int MQTT_PORT = 1883;
    public static final int KAFKA_PORT = 9092;
    public static final int INFLUX_PORT = 8086;
    public static final int FLINK_REST_PORT = 8081;
    public static final int GRAFANA_PORT = 3000;

    public static final String INFLUX_DATABASE = "telemetry";

    private ServiceDefaults() {}
}
