package io.twinstream.infra.stack.docker;

import io.twinstream.infra.stack.MqttBroker;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * Mosquitto 2.0 in a container ({@code eclipse-mosquitto}), anonymous, on a mapped port. Used only
 * where a Docker engine is available; the local process is the default on machines without one.
 */
public final class MosquittoContainer implements MqttBroker {

    public static final DockerImageName IMAGE = DockerImageName.parse("eclipse-mosquitto:2.0");
    private static final int MQTT_PORT = 1883;

    private final GenericContainer<?> container;

    private MosquittoContainer(GenericContainer<?> container) {
        this.container = container;
    }

    public static MosquittoContainer start() {
        GenericContainer<?> container = new GenericContainer<>(IMAGE)
                // The image ships this config: one listener on 1883, anonymous access allowed.
                .withCommand("mosquitto", "-c", "/mosquitto-no-auth.conf")
                .withExposedPorts(MQTT_PORT)
                .waitingFor(Wait.forLogMessage(".*mosquitto version .* running.*", 1));
        container.start();
        return new MosquittoContainer(container);
    }

    @Override
    public String host() {
        return container.getHost();
    }

    @Override
    public int port() {
        return container.getMappedPort(MQTT_PORT);
    }

    @Override
    public String description() {
        return "mosquitto container " + IMAGE + " on " + url();
    }

    @Override
    public void close() {
        container.stop();
    }
}
