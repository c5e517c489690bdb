package io.twinstream.infra.stack;

import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Where a service of the stack comes from.
 *
 * <p>Chosen per service by {@link #choose}: an environment variable naming an existing service
 * wins ({@code MQTT_URL}, {@code KAFKA_BOOTSTRAP}, {@code INFLUX_URL}); otherwise
 * {@code TWINSTREAM_BACKEND} decides: {@code local}, {@code docker}, or {@code auto} (the default:
 * Testcontainers when a Docker engine answers, local processes when none does).
 */
public enum Backend {
    /** A process on this machine (mosquitto, a Kafka JVM, influxd) on free loopback ports. */
    LOCAL,
    /** A container started with Testcontainers. */
    DOCKER,
    /** A service someone else runs, named by an environment variable. */
    EXTERNAL;

    public static final String BACKEND_VARIABLE = "TWINSTREAM_BACKEND";

    /**
     * @param settings        environment variables (and system properties of the same names)
     * @param dockerAvailable asked only when the choice depends on it
     * @throws IllegalArgumentException if {@code TWINSTREAM_BACKEND} has an unknown value
     */
    public static Backend choose(StackService service, Map<String, String> settings, BooleanSupplier dockerAvailable) {
        String external = settings.get(service.endpointVariable());
        if (external != null && !external.isBlank()) {
            return EXTERNAL;
        }
        String mode = settings.getOrDefault(BACKEND_VARIABLE, "auto").strip().toLowerCase(Locale.ROOT);
        switch (mode) {
            case "local":
                return LOCAL;
            case "docker":
                return DOCKER;
            case "auto":
            case "":
                return dockerAvailable.getAsBoolean() ? DOCKER : LOCAL;
            default:
                throw new IllegalArgumentException(BACKEND_VARIABLE + "=" + settings.get(BACKEND_VARIABLE)
                        + " is not one of: local, docker, auto");
        }
    }
}
