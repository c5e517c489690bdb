package io.twinstream.infra.stack.external;

import io.twinstream.infra.stack.MqttBroker;
import io.twinstream.infra.stack.ServiceStartException;
import io.twinstream.infra.stack.local.MqttProbe;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;

/** A broker someone else runs, named by {@code MQTT_URL} ({@code tcp://host:port}); never stopped by us. */
public record ExternalMqttBroker(String host, int port) implements MqttBroker {

    /**
     * Parses {@code tcp://host:port} (or {@code mqtt://}) and checks that an MQTT broker answers there.
     *
     * @throws ServiceStartException if the URL is malformed or nothing answers MQTT at it
     */
    public static ExternalMqttBroker connect(String mqttUrl, String username, String password) {
        URI uri;
        try {
            uri = new URI(mqttUrl.strip());
        } catch (URISyntaxException e) {
            throw new ServiceStartException("MQTT_URL=" + mqttUrl + " is not a URL like tcp://host:1883", e);
        }
        if (!"tcp".equals(uri.getScheme()) && !"mqtt".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ServiceStartException(
                    "MQTT_URL=" + mqttUrl + " must look like tcp://host:1883 (TLS is not probed here)");
        }
        int port = uri.getPort() == -1 ? 1883 : uri.getPort();
        int code = MqttProbe.connect(uri.getHost(), port, username, password, Duration.ofSeconds(5));
        if (code != MqttProbe.ACCEPTED) {
            throw new ServiceStartException("MQTT_URL=" + mqttUrl + ": "
                    + (code < 0
                            ? "no MQTT broker answered"
                            : "the broker refused the connection (CONNACK " + code + ")"));
        }
        return new ExternalMqttBroker(uri.getHost(), port);
    }

    @Override
    public String description() {
        return "external MQTT broker " + url() + " (MQTT_URL)";
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
