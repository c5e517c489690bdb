package io.twinstream.pipeline.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.twinstream.infra.stack.InfluxHttp;
import io.twinstream.model.Reading;
import io.twinstream.pipeline.Pipeline;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Latency from publish to visible, per reading, in two figures: when a value of its 10-s site
 * window that counts it is first queryable (an early result of the open window, or the final
 * value), and when the window's final value is. A thread polls InfluxDB every 200 ms and notes the
 * wall time each 10-s site window's count first reaches each value and when it is first final
 * (site windows are written after the device windows they are made of, so this is an upper bound for
 * the device windows); afterwards every reading is read back from Kafka. A reading counts as visible
 * once its window's count reaches its rank in the window by arrival at the bridge (readings are
 * added about in that order); its latency is that moment minus when the bridge received it
 * ({@link Reading#ingestedAt()}: the MQTT hop before it, well under a millisecond on loopback, is
 * not counted).
 */
final class LatencyProbe implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Per 10-s site window and metric (site|metric|start): each count it showed and when, first seen first. */
    private final Map<String, List<long[]>> counts = new ConcurrentHashMap<>();
    /** Per window: when its final value was first seen. */
    private final Map<String, Long> finalSeen = new ConcurrentHashMap<>();

    private final String influxUrl;
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
                String answer = InfluxHttp.query(
                        influxUrl,
                        Pipeline.DATABASE,
                        "SELECT \"count\", \"final\" FROM site_metrics " + "WHERE \"window\" = '10s' AND time >= "
                                + since + "ms GROUP BY \"site\", \"metric\"");
                long now = System.currentTimeMillis();
                long newestFinal = since; // polled from a minute before the newest final window on: none older is open
                for (JsonNode series :
                        JSON.readTree(answer).path("results").path(0).path("series")) {
                    String site = series.path("tags").path("site").asText();
                    String metric = series.path("tags").path("metric").asText();
                    for (JsonNode row : series.path("values")) {
                        long start = row.path(0).asLong();
                        String key = site + "|" + metric + "|" + start;
                        List<long[]> seen = counts.computeIfAbsent(key, k -> new ArrayList<>());
                        long count = row.path(1).asLong();
                        if (seen.isEmpty() || seen.get(seen.size() - 1)[1] < count) {
                            seen.add(new long[] {now, count});
                        }
                        if (!row.path(2).isBoolean() || row.path(2).asBoolean()) {
                            finalSeen.putIfAbsent(key, now);
                            newestFinal = Math.max(newestFinal, start);
                        }
                    }
                }
                since = Math.max(since, newestFinal - 60_000);
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                // influxd busy: try again on the next round
            }
        }
    }

    /** Each reading's latency to first visible and to final (ms, each sorted). */
    record Latencies(long[] firstVisible, long[] finalValue) {}

    /**
     * Every reading's latencies, read back from {@code telemetry.readings}; readings whose window
     * starts within {@code tail} of the stream's last reading are left out: those windows close by
     * the idle advance after the stream ends, not by readings, and would measure the idle time.
     */
    Latencies latencies(String bootstrap, long readings, Duration tail) {
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
                    keyOf[n] = r.site() + "|" + r.metricNames()[0] + "|" + (r.ts() - Math.floorMod(r.ts(), 10_000));
                    ingestedOf[n] = r.ingestedAt();
                    lastTs = Math.max(lastTs, r.ts());
                    n++;
                }
            }
        };
        ReadingsTopic.forEach(bootstrap, readings, back);
        int n = back.n;
        // Each reading's rank in its window by arrival at the bridge.
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.comparingLong(i -> ingestedOf[i]));
        Map<String, Integer> ranks = new HashMap<>();
        long[] visible = new long[n];
        long[] finals = new long[n];
        int keptVisible = 0;
        int keptFinal = 0;
        for (int i : order) {
            int rank = ranks.merge(keyOf[i], 1, Integer::sum);
            if (tsOf[i] >= back.lastTs - tail.toMillis()) {
                continue;
            }
            List<long[]> seen = counts.get(keyOf[i]);
            if (seen != null) {
                for (long[] observation : seen) {
                    if (observation[1] >= rank) {
                        visible[keptVisible++] = observation[0] - ingestedOf[i];
                        break;
                    }
                }
            }
            Long fin = finalSeen.get(keyOf[i]);
            if (fin != null) {
                finals[keptFinal++] = fin - ingestedOf[i];
            }
        }
        long[] firstVisible = Arrays.copyOf(visible, keptVisible);
        long[] finalValue = Arrays.copyOf(finals, keptFinal);
        Arrays.sort(firstVisible);
        Arrays.sort(finalValue);
        return new Latencies(firstVisible, finalValue);
    }

    static long percentile(long[] sorted, double p) {
        return sorted.length == 0
                ? -1
                : sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        poller.interrupt();
        poller.join();
    }
}
