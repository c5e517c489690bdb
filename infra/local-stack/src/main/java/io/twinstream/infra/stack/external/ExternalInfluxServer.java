package io.twinstream.infra.stack.external;

import io.twinstream.infra.stack.InfluxHttp;
import io.twinstream.infra.stack.InfluxServer;
import io.twinstream.infra.stack.ServiceDefaults;
import io.twinstream.infra.stack.ServiceStartException;
import java.time.Duration;

/** An InfluxDB someone else runs, named by {@code INFLUX_URL}; never stopped by us. */
public record ExternalInfluxServer(String url) implements InfluxServer {

    /** @throws ServiceStartException if {@code /ping} does not answer 204 or the database cannot be created */
    public static ExternalInfluxServer connect(String url) {
        String base = url.strip().replaceAll("/+$", "");
        if (!base.startsWith("http://") && !base.startsWith("https://")) {
            throw new ServiceStartException("INFLUX_URL=" + url + " must look like http://host:8086");
        }
        if (!InfluxHttp.ping(base, Duration.ofSeconds(5))) {
            throw new ServiceStartException("INFLUX_URL=" + url + ": no InfluxDB answered GET /ping with 204");
        }
        try {
            InfluxHttp.createDatabase(base, ServiceDefaults.INFLUX_DATABASE);
        } catch (IllegalStateException e) {
            throw new ServiceStartException(
                    "INFLUX_URL=" + url + ": cannot create database " + ServiceDefaults.INFLUX_DATABASE + ": "
                            + e.getMessage(),
                    e);
        }
        return new ExternalInfluxServer(base);
    }

    @Override
    public String description() {
        return "external InfluxDB " + url + " (INFLUX_URL)";
    }

    @Override
    public void close() {
        // Not ours to stop.
    }
}
