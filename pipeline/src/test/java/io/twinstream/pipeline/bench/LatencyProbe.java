package io.twinstream.pipeline.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.infra.stack.InfluxHttp;
import io.twinstream.model.Reading;
import io.twinstream.pipeline.Pipeline;

/**
 * Latency from publish to queryable, per reading: a thread polls InfluxDB every 200 ms and notes
 * the wall time each 10-s site window first appears (site windows are written after the device
 * windows they are made of, so this is an upper bound for the device windows); afterwards every
 * reading is read back from Kafka, and its latency is that time minus the moment the bridge
 * received it ({@link Reading#ingestedAt()}: the MQTT hop before it, well under a millisecond on
 * loopback, is not counted).
 */
final class LatencyProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String influxUrl;
    private final Map<String, Long> firstSeen = new ConcurrentHashMap<>(); // site|window start → wall ms
    private final Thread poller;
    private volatile boolean running = true;

    LatencyProbe(String influxUrl) {
        this.influxUrl = influxUrl;
        this.poller = new Thread(this::poll, "bench-latency-probe");
        poller.setDaemon(true);
        poller.start();
    }

    private void poll() {
        long since = 0;
        while (running) {
            try {
                String answer = InfluxHttp.query(influxUrl, Pipeline.DATABASE, "SELECT \"count\" FROM site_metrics WHERE \"window\" = '10s' "
                        + "AND time >= " + since + "ms GROUP BY \"site\"");
                long now = System.currentTimeMillis();
                long newest = since;
                for (JsonNode series : JSON.readTree(answer).path("results").path(0).path("series")) {
                    String site = series.path("tags").path("site").asText();
                    for (JsonNode row : series.path("values")) {
                        long start = row.path(0).asLong();
                        firstSeen.putIfAbsent(site + "|" + start, now);
                        newest = Math.max(newest, start);
                    }
                }
                since = Math.max(since, newest - 60_000);
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // influxd busy: try again on the next round
            }
        }
    }

    /**
     * Every reading's latency (ms), read back from {@code telemetry.readings}; readings whose window
     * starts within {@code tail} of the stream's last reading are left out: those windows close by
     * the idle advance after the stream ends, not by readings, and would measure the idle time.
     */
    long[] latencies(String bootstrap, long readings, Duration tail) {
        long[] tsOf = new long[(int) readings];
        String[] keyOf = new String[(int) readings];
        long[] ingestedOf = new long[(int) readings];
        var back = new ReadingsTopic.ReadingConsumer() {
            int n;
            long lastTs = Long.MIN_VALUE;

            @Override
            public void accept(int partition, Reading r) {
                if (n < readings) {
                    tsOf[n] = r.ts();
                    keyOf[n] = r.site() + "|" + (r.ts() - Math.floorMod(r.ts(), 10_000));
                    ingestedOf[n] = r.ingestedAt();
                    lastTs = Math.max(lastTs, r.ts());
                    n++;
                }
            }
        };
        ReadingsTopic.forEach(bootstrap, readings, back);
        int n = back.n;
        long lastTs = back.lastTs;
        long[] out = new long[n];
        int kept = 0;
        for (int i = 0; i < n; i++) {
            Long seen = firstSeen.get(keyOf[i]);
            if (seen == null || tsOf[i] >= lastTs - tail.toMillis()) {
                continue;
            }
            out[kept++] = seen - ingestedOf[i];
        }
        long[] result = Arrays.copyOf(out, kept);
        Arrays.sort(result);
        return result;
    }

    static long percentile(long[] sorted, double p) {
        return sorted.length == 0 ? -1 : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join();
    }
}
