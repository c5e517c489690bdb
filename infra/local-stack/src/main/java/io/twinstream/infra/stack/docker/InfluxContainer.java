package io.twinstream.infra.stack.docker;

import io.twinstream.infra.stack.InfluxServer;
import io.twinstream.infra.stack.ServiceDefaults;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

/**
 * InfluxDB 1.11 in a container, serving the same 1.x HTTP API as Debian's influxd 1.6, with the
 * {@link ServiceDefaults#INFLUX_DATABASE} database created. Used only where a Docker engine is available.
 */
public final class InfluxContainer implements InfluxServer {

    public static final DockerImageName IMAGE = DockerImageName.parse("influxdb:1.11");
    private static final int HTTP_PORT = 8086;

    private final GenericContainer<?> container;

    private InfluxContainer(GenericContainer<?> container) {
        this.container = container;
    }

    public static InfluxContainer start() {
        GenericContainer<?> container = new GenericContainer<>(IMAGE)
                .withEnv("INFLUXDB_DB", ServiceDefaults.INFLUX_DATABASE)
                .withEnv("INFLUXDB_REPORTING_DISABLED", "true")
                .withEnv("INFLUXDB_HTTP_AUTH_ENABLED", "false")
                .withEnv("INFLUXDB_HTTP_LOG_ENABLED", "false")
                .withExposedPorts(HTTP_PORT)
                .waitingFor(Wait.forHttp("/ping").forStatusCode(204));
        container.start();
        InfluxContainer server = new InfluxContainer(container);
        server.createDatabase(ServiceDefaults.INFLUX_DATABASE);
        return server;
    }

    @Override
    public String url() {
        return "http://" + container.getHost() + ":" + container.getMappedPort(HTTP_PORT);
    }

    @Override
    public String description() {
        return "InfluxDB container " + IMAGE + " on " + url();
    }

    @Override
    public void close() {
        container.stop();
    }
}
