package io.twinstream.jobs.sink;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
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
 * A batch that cannot be written fails the job at the task's next call, as before.
 */
final class InfluxSinkWriter<T> implements SinkWriter<T> {

    private static final Logger LOG = LoggerFactory.getLogger(InfluxSinkWriter.class);
    private static final long FIRST_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;

    private final InfluxSink.Settings settings;
    private final InfluxSink.PointMapper<T> toPoint;
    private final ProcessingTimeService time;
    private final InfluxDB influx;
    /** Writes one batch at a time, in the order handed over. */
    private final ExecutorService writer;
    private List<Point> buffer = new ArrayList<>();
    /** The batch being written, or null. */
    private Future<?> inFlight;
    private boolean lingerTimerSet;

    InfluxSinkWriter(InfluxSink.Settings settings, InfluxSink.PointMapper<T> toPoint, ProcessingTimeService time) {
        this.settings = settings;
        this.toPoint = toPoint;
        this.time = time;
        this.influx = settings.username() == null ? InfluxDBFactory.connect(settings.url())
                : InfluxDBFactory.connect(settings.url(), settings.username(), settings.password());
        this.writer = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, "influx-writer " + settings.url());
            thread.setDaemon(true);
            return thread;
        });
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
            time.registerTimer(time.getCurrentProcessingTime() + settings.linger().toMillis(), timestamp -> {
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
    }

    @Override
    public void close() {
        writer.shutdownNow(); // a retry still waiting is given up: the job restarts from its checkpoint
        influx.close();
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

    /** On the writer thread: the batch, retried with backoff for {@code retry-for} while that may help. */
    private void writeWithRetries(List<Point> points) throws IOException {
        BatchPoints batch = BatchPoints.database(settings.database()).points(points).build();
        long deadline = System.nanoTime() + settings.retryFor().toNanos();
        long backoff = FIRST_BACKOFF_MS;
        for (int attempt = 1; ; attempt++) {
            try {
                influx.write(batch);
                if (attempt > 1) {
                    LOG.info("InfluxDB at {} took {} points after {} attempts", settings.url(), points.size(), attempt);
                }
                return;
            } catch (InfluxDBException e) {
                boolean worthRetrying = worthRetrying(e);
                if (!worthRetrying || System.nanoTime() > deadline) {
                    throw new IOException("InfluxDB at " + settings.url() + " did not take " + points.size() + " points"
                            + (worthRetrying ? " within " + settings.retryFor().toSeconds() + " s" : "") + ": "
                            + e.getMessage(), e);
                }
                LOG.warn("InfluxDB at {} failed a write (attempt {}): {}; trying again in {} ms", settings.url(), attempt,
                        e.getMessage(), backoff);
                sleep(backoff);
                backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
            }
        }
    }

    /**
     * Whether the same write may succeed later. A partial write (InfluxDB refused some points for
     * good: a tag or series limit reached, a field type conflict, beyond retention) will not, though
     * the client library calls an unrecognised message worth retrying: fail at once, naming it.
     */
    static boolean worthRetrying(InfluxDBException e) {
        String message = String.valueOf(e.getMessage());
        return e.isRetryWorth() && !message.contains("partial write") && !message.contains("limit exceeded");
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
