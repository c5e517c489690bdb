package io.twinstream.infra.stack;

/**
 * A running InfluxDB serving the 1.x HTTP API ({@code /write}, {@code /query} InfluxQL, {@code /ping}).
 *
 * <p>The {@link ServiceDefaults#INFLUX_DATABASE} database exists once a server is handed out. Tests
 * that need isolation create their own database with {@link #createDatabase(String)}.
 */
public interface InfluxServer extends AutoCloseable {

    /** Base URL, e.g. {@code http://127.0.0.1:38086}. */
    String url();

    String description();

    /** Creates a database if it does not exist (InfluxQL {@code CREATE DATABASE} is idempotent). */
    default void createDatabase(String name) {
        InfluxHttp.createDatabase(url(), name);
    }

    /** Runs an InfluxQL query and returns the raw JSON response body. */
    default String query(String database, String influxQl) {
        return InfluxHttp.query(url(), database, influxQl);
    }

    @Override
    void close();
}
