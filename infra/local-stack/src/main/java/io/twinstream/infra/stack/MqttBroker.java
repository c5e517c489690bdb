package io.twinstream.infra.stack;

/**
 * A running MQTT broker (MQTT 3.1.1 and 5, shared subscriptions) reachable over plain TCP.
 *
 * <p>Implementations: a local Mosquitto process, a Mosquitto container, or an external broker named
 * by {@code MQTT_URL}. Closing a broker that this library started stops it; closing an external
 * one does nothing.
 */
public interface MqttBroker extends AutoCloseable {

    String host();

    int port();

    /** The URL Paho clients take, e.g. {@code tcp://127.0.0.1:41883}. */
    default String url() {
        return "tcp://" + host() + ":" + port();
    }

    /** Where this broker came from, for logs and error messages. */
    String description();

    @Override
    void close();
}
