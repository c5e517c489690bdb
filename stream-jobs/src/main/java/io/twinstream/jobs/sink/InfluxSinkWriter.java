package io.twinstream.jobs.sink;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.metrics.Counter;
import org.influxdb.InfluxDB;
import org.influxdb.InfluxDBException;
import org.influxdb.InfluxDBFactory;
import org.influxdb.dto.BatchPoints;
import org.influxdb.dto.Point;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers points and writes them in batches; see {@link InfluxSink} for the guarantees. The buffer
 * is the task thread's only (the linger timer fires in the task's mailbox); a full batch is written,
 * with its retries, by a thread of its own, one batch at a time, while the task goes on filling the
 * next: the task waits only when that one is full too (backpressure), and before every checkpoint
 * and at the end of input, when everything buffered or in flight must be in InfluxDB. The
 * profile of a live fleet showed the task thread blocked on InfluxDB's answer for seconds whenever
 * a window closed for every device at once, holding back readings and early results behind it.
 * A batch that cannot be written fails the job at the task's next call, as before. A batch
 * InfluxDB refuses in part for good is halved until the refused points are found: those go to
 * {@link RefusedPoints} (the dead-letter topic), counted ({@code refusedPoints}), the rest is written.
 */
final class InfluxSinkWriter<T> implements SinkWriter<T> {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxSinkWriter.class);
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Refused points are logged each for the first few, then one in this many. */
    private static final long LOG_EVERY = 1000;

    private final InfluxSink.Settings settings;
    private final InfluxSink.PointMapper<T> toPoint;
    private final ProcessingTimeService time;
    private final InfluxDB influx;
    private final RefusedPoints.Handler refusedPoints;
    private final Counter refusedCount;
    /** Writes one batch at a time, in the order handed over. */
    private final ExecutorService writer;

    private List<Point> buffer = new ArrayList<>();
    /** The batch being written, or null. */
    private Future<?> inFlight;

    private boolean lingerTimerSet;

    InfluxSinkWriter(
            InfluxSink.Settings settings,
            InfluxSink.PointMapper<T> toPoint,
            ProcessingTimeService time,
            RefusedPoints refusedPoints,
            Counter refusedCount) {
        this.settings = settings;
        this.toPoint = toPoint;
        this.time = time;
        this.refusedPoints = refusedPoints.open();
        this.refusedCount = refusedCount;
        OkHttpClient.Builder http = httpClient(settings);
        this.influx = settings.username() == null
                ? InfluxDBFactory.connect(settings.url(), http)
                : InfluxDBFactory.connect(settings.url(), settings.username(), settings.password(), http);
        this.writer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "influx-writer " + settings.url());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * The HTTP client the InfluxDB client uses: the JVM's trust store, or with
     * {@code influx.tls.truststore} the authorities in that one (a private CA's https).
     */
    static OkHttpClient.Builder httpClient(InfluxSink.Settings settings) {
        OkHttpClient.Builder http = new OkHttpClient.Builder();
        if (settings.trustStore() == null) {
            return http;
        }
        Path file = Path.of(settings.trustStore());
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance(file.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(
                    in,
                    settings.trustStorePassword() == null
                            ? null
                            : settings.trustStorePassword().toCharArray());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(store);
            X509TrustManager manager = (X509TrustManager) trust.getTrustManagers()[0];
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {manager}, null);
            return http.sslSocketFactory(context.getSocketFactory(), manager);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException(
                    "influx.tls.truststore " + file + " cannot be read as a trust store: " + e.getMessage(), e);
        }
    }

    @Override
    public void write(T element, Context context) throws IOException {
        if (inFlight != null && inFlight.isDone()) {
            awaitInFlight(); // a failed batch fails the job now, not a batch later
        }
        buffer.add(toPoint.toPoint(element));
        if (buffer.size() >= settings.batchSize()) {
            writeBuffer();
        } else if (!lingerTimerSet) {
            lingerTimerSet = true;
            time.registerTimer(
                    time.getCurrentProcessingTime() + settings.linger().toMillis(), timestamp -> {
                        lingerTimerSet = false;
                        writeBuffer();
                    });
        }
    }

    /** Before every checkpoint and at the end of input: nothing stays only in memory. */
    @Override
    public void flush(boolean endOfInput) throws IOException {
        writeBuffer();
        awaitInFlight();
        refusedPoints.flush();
    }

    @Override
    public void close() {
        writer.shutdownNow(); // a retry still waiting is given up: the job restarts from its checkpoint
        influx.close();
        refusedPoints.close();
    }

    /** Hands the buffer to the writer thread once the batch before it is written. */
    private void writeBuffer() throws IOException {
        if (buffer.isEmpty()) {
            return;
        }
        awaitInFlight();
        List<Point> points = buffer;
        buffer = new ArrayList<>();
        inFlight = writer.submit(() -> {
            writeWithRetries(points);
            return null;
        });
    }

    private void awaitInFlight() throws IOException {
        if (inFlight == null) {
            return;
        }
        Future<?> batch = inFlight;
        inFlight = null;
        try {
            batch.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while InfluxDB was taking a batch", e);
        }
    }

    /**
     * On the writer thread: the batch, retried while that may help; when InfluxDB refuses some of
     * its points for good, each half again, down to the single points refused, which are handed to
     * {@link RefusedPoints}. (InfluxDB writes the rest of a batch it refuses in part; writing those
     * again overwrites them with the same values.) k refused points among n cost about 2k·log2(n) writes.
     */
    private void writeWithRetries(List<Point> points) throws IOException {
        String refusal = writeRetrying(points);
        if (refusal == null) {
            return;
        }
        if (points.size() == 1) {
            refusedCount.inc();
            if (refusedCount.getCount() <= 10
                    || refusedCount.getCount() % LOG_EVERY == 0) { // the first few, then a sample
                LOG.warn(
                        "InfluxDB at {} refused a point for good ({} so far), to the dead letters: {}: {}",
                        settings.url(),
                        refusedCount.getCount(),
                        refusal,
                        points.get(0).lineProtocol());
            }
            refusedPoints.refused(points.get(0).lineProtocol(), refusal);
            return;
        }
        int half = points.size() / 2;
        writeWithRetries(points.subList(0, half));
        writeWithRetries(points.subList(half, points.size()));
    }

    /**
     * Writes {@code points}, retrying with backoff for {@code retry-for} while that may help.
     *
     * @return null when written; InfluxDB's answer when it refused some of them for good
     * @throws IOException when InfluxDB stays unavailable, or refuses the whole write for a reason
     *                     that is not the points' (no such database, no permission)
     */
    private String writeRetrying(List<Point> points) throws IOException {
        BatchPoints batch =
                BatchPoints.database(settings.database()).points(points).build();
        long deadline = System.nanoTime() + settings.retryFor().toNanos();
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                influx.write(batch);
                if (attempt > 1) {
                    LOG.info("InfluxDB at {} took {} points after {} attempts", settings.url(), points.size(), attempt);
                }
                return null;
            } catch (InfluxDBException e) {
                if (refusesPoints(e)) {
                    return e.getMessage();
                }
                boolean worthRetrying = worthRetrying(e);
                if (!worthRetrying || System.nanoTime() > deadline) {
                    throw new IOException(
                            "InfluxDB at " + settings.url() + " did not take " + points.size() + " points"
                                    + (worthRetrying
                                            ? " within " + settings.retryFor().toSeconds() + " s"
                                            : "") + ": "
                                    + e.getMessage(),
                            e);
                }
                LOG.warn(
                        "InfluxDB at {} failed a write (attempt {}): {}; trying again in {} ms",
                        settings.url(),
                        attempt,
                        e.getMessage(),
                        backoff);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /**
     * Whether InfluxDB refused some of the points themselves, for good: it says "partial write"
     * when it wrote the others; a batch of only such points is refused as a whole ("unable to
     * parse …: time outside range", "points beyond retention policy", a field type conflict).
     */
    static boolean refusesPoints(InfluxDBException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("partial write")
                || message.contains("unable to parse")
                || message.contains("beyond retention policy")
                || message.contains("field type conflict")
                || message.contains("limit exceeded");
    }

    /**
     * Whether the same write may succeed later. Points refused for good ({@link #refusesPoints})
     * will not, though the client library calls a message it does not know worth retrying.
     */
    static boolean worthRetrying(InfluxDBException e) {
        return e.isRetryWorth() && !refusesPoints(e);
    }

    private static void sleep(long baseMillis) throws IOException {
        try {
            Thread.sleep(baseMillis / 2 + ThreadLocalRandom.current().nextLong(baseMillis / 2 + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to retry an InfluxDB write", e);
        }
    }
}
