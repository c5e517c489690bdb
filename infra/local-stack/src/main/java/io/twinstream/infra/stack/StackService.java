package io.twinstream.infra.stack;

/** The services of the stack, with the variable that points a run at an existing one. */
public enum StackService {
    MQTT("MQTT_URL"),
    KAFKA("KAFKA_BOOTSTRAP"),
    INFLUX("INFLUX_URL");

    private final String endpointVariable;

    StackService(String endpointVariable) {
        this.endpointVariable = endpointVariable;
    }

    /** e.g. {@code MQTT_URL=tcp://broker:1883} makes runs use that broker instead of starting one. */
    public String endpointVariable() {
        return endpointVariable;
    }
}
