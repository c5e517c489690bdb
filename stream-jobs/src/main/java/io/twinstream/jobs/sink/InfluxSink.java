package io.twinstream.jobs.sink;

import java.io.Serializable;
import java.time.Duration;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.influxdb.dto.Point;

/**
 * A Flink Sink V2 writing to InfluxDB's 1.x HTTP API with {@code influxdb-java}. Points are batched
 * ({@code batchSize}, or after {@code linger}), retried with backoff on server errors and timeouts
 * for up to {@code retryFor}, and all written before a checkpoint completes (the writer's flush).
 * When InfluxDB stays unavailable longer than that the write fails and so does the job: it restarts
 * from its last checkpoint instead of dropping points. Points are identified by tags and window
 * start, so what a restart writes again overwrites identical points: exactly once in effect.
 * Points InfluxDB refuses for good go to {@link RefusedPoints} (the jobs: the dead-letter topic)
 * and the job goes on.
 *
 * @param <T> what is written; {@code toPoint} turns it into a point inside the writer (a
 *            {@link Point} is not a Flink type and never travels between operators)
 */
public final class InfluxSink<T> implements Sink<T> {

    private static final long serialVersionUID = 1L;

    /** Turns an element into its point; serializable, as it is shipped with the job. */
    @FunctionalInterface
    public interface PointMapper<T> extends Serializable {
        Point toPoint(T element);
    }

    /**
     * @param url       e.g. http://127.0.0.1:8086
     * @param username  null for no authentication
     * @param batchSize points per HTTP request (default 5000)
     * @param linger    the longest a point waits for its batch to fill (default 1 s)
     * @param retryFor  how long failed writes are retried before the job fails (default 60 s)
     * @param trustStore for an https url whose certificate a private authority signed: a PKCS12 or
     *                   JKS trust store holding that authority; null (default) for the JVM's own
     * @param trustStorePassword its password, null for none
     */
    public record Settings(
            String url,
            String database,
            String username,
            String password,
            int batchSize,
            Duration linger,
            Duration retryFor,
            String trustStore,
            String trustStorePassword)
            implements Serializable {
        public Settings {
            if (trustStore != null && !url.startsWith("https://")) {
                throw new IllegalArgumentException(
                        "influx.tls.truststore is set but influx.url is not https://, was '" + url + "'");
            }
            if (!url.matches("https?://.+")) {
                throw new IllegalArgumentException("influx url must look like http://host:8086, was '" + url + "'");
            }
            if (database.isBlank()) {
                throw new IllegalArgumentException("influx database is empty");
            }
            if (batchSize < 1) {
                throw new IllegalArgumentException("influx batch size must be at least 1, was " + batchSize);
            }
            if (linger.isNegative() || retryFor.isNegative()) {
                throw new IllegalArgumentException("linger and retry time must not be negative");
            }
        }

        /** Without the password: a configuration printed or logged must not give it away. */
        @Override
        public String toString() {
            return "Settings[url=" + url + ", database=" + database + ", username=" + username + ", password="
                    + (password == null ? "none" : "(hidden)") + ", batchSize=" + batchSize + ", linger=" + linger
                    + ", retryFor=" + retryFor + ", trustStore=" + trustStore + ", trustStorePassword="
                    + (trustStorePassword == null ? "none" : "(hidden)") + "]";
        }

        /** These settings trusting the authorities in {@code store} for https. */
        public Settings withTrustStore(String store, String storePassword) {
            return new Settings(url, database, username, password, batchSize, linger, retryFor, store, storePassword);
        }

        public static Settings of(String url, String database) {
            return new Settings(
                    url, database, null, null, 5000, Duration.ofSeconds(1), Duration.ofSeconds(60), null, null);
        }

        public Settings withRetryFor(Duration newRetryFor) {
            return new Settings(
                    url, database, username, password, batchSize, linger, newRetryFor, trustStore, trustStorePassword);
        }

        /** These settings with a linger no longer than {@code most}. */
        public Settings withLingerAtMost(Duration most) {
            return linger.compareTo(most) <= 0
                    ? this
                    : new Settings(
                            url,
                            database,
                            username,
                            password,
                            batchSize,
                            most,
                            retryFor,
                            trustStore,
                            trustStorePassword);
        }
    }

    private final Settings settings;
    private final PointMapper<T> toPoint;
    private final RefusedPoints refusedPoints;

    /** A sink whose writes fail when InfluxDB refuses a point for good ({@link RefusedPoints#FAIL}). */
    public InfluxSink(Settings settings, PointMapper<T> toPoint) {
        this(settings, toPoint, RefusedPoints.FAIL);
    }

    public InfluxSink(Settings settings, PointMapper<T> toPoint, RefusedPoints refusedPoints) {
        this.settings = settings;
        this.toPoint = toPoint;
        this.refusedPoints = refusedPoints;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) {
        return new InfluxSinkWriter<>(
                settings,
                toPoint,
                context.getProcessingTimeService(),
                refusedPoints,
                context.metricGroup().counter("refusedPoints"));
    }
}
