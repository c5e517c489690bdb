package io.twinstream.simulator.truth;

import io.twinstream.simulator.device.Metric;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.Scenario.AlertRule;
import io.twinstream.simulator.scenario.Scenario.Episode;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.SimMessage;
import io.twinstream.simulator.stream.StreamObserver;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a correct pipeline must produce for a scenario, computed from the stream itself with no
 * broker: {@code simulator expect}. Output is line-delimited JSON, one object per line:
 *
 * <pre>
 * {"type":"device_window","window":"10s","start":1767571200000,"domain":"city","site":"tverskoy","deviceType":"air-quality","deviceId":"aq-000001","metric":"pm25","count":1,"sum":12.3,"min":12.3,"max":12.3,"mean":12.3}
 * {"type":"site_window","window":"1m","start":...,"domain":...,"site":...,"deviceType":...,"metric":...,"count":..,"sum":..,"min":..,"max":..,"mean":..,"devices":12}
 * {"type":"alert","rule":"pm25-high","severity":"warning","state":"raised","domain":...,"site":...,"deviceType":...,"deviceId":...,"metric":"pm25","ts":...,"value":95.2,"threshold":50.0}
 * {"type":"totals","messages":..,"readingMessages":..,"readings":..,"duplicates":..,"malformed":..,"late":..,"outOfOrder":..,"statusMessages":..,"devices":..}
 * </pre>
 *
 * Windows are tumbling, aligned to the epoch, keyed by the reading's reported {@code ts} (clock
 * skew included), after de-duplication by (device, seq), without late readings. Window lines come
 * in order of window start, then device id, metric; alerts in order of time, then device. Sums
 * are added in order of reading time: compare them with a relative tolerance (1e-9), since
 * another order of addition may differ in the last bits.
 *
 * <p>Alert semantics for an episode's rule, per device, over its accepted readings in event-time
 * order: the condition {@code value > above} must hold on consecutive readings from a first one at
 * t0 until one at t >= t0 + for: raised at t with that reading's value; then the first reading with
 * {@code value < clearBelow} clears it, at its time.
 */
public final class GroundTruth implements StreamObserver {

    public static final long[] WINDOWS = {10_000, 60_000};
    private static final String[] WINDOW_NAMES = {"10s", "1m"};

    private final DeviceFleet fleet;
    private final Writer out;
    private final long maxIncludedDelay;
    /** windowSize index → window start → (device, metric) → aggregate */
    private final List<TreeMap<Long, Map<Long, Aggregate>>> windows = new ArrayList<>();

    private final Map<Integer, List<double[]>> alertSeries = new HashMap<>();
    private final List<Episode> episodes;
    private long messages;
    private long readingMessages;
    private long readings;
    private long duplicates;
    private long malformed;
    private long late;
    private long outOfOrder;
    private long statusMessages;
    private long windowLines;
    private long alertLines;

    public GroundTruth(DeviceFleet fleet, Writer out) {
        this.fleet = fleet;
        this.out = out;
        this.episodes = fleet.scenario().episodes();
        Scenario.Faults faults = fleet.scenario().faults();
        this.maxIncludedDelay =
                faults.outOfOrderMaxDelay().toMillis() + 2 * faults.clockSkew().toMillis() + 2_000;
        for (int i = 0; i < WINDOWS.length; i++) {
            windows.add(new TreeMap<>());
        }
    }

    /** Runs the scenario's stream through this ground truth and writes everything. */
    public static void write(DeviceFleet fleet, Writer out) {
        GroundTruth truth = new GroundTruth(fleet, out);
        MessageGenerator generator = new MessageGenerator(fleet, truth);
        for (SimMessage m = generator.next(); m != null; m = generator.next()) {
            truth.flushBefore(m.sendMillis() - truth.maxIncludedDelay);
        }
        truth.finish();
    }

    @Override
    public void reading(int device, long seq, long ts, double[] values, boolean isLate, long delayMillis) {
        readings++;
        if (isLate) {
            late++;
            return;
        }
        if (delayMillis > 0) {
            outOfOrder++;
        }
        for (int w = 0; w < WINDOWS.length; w++) {
            long start = Math.floorDiv(ts, WINDOWS[w]) * WINDOWS[w];
            Map<Long, Aggregate> window = windows.get(w).computeIfAbsent(start, k -> new HashMap<>());
            for (int m = 0; m < values.length; m++) {
                window.computeIfAbsent(((long) device << 8) | m, k -> new Aggregate())
                        .add(values[m]);
            }
        }
        for (int e = 0; e < episodes.size(); e++) {
            Episode episode = episodes.get(e);
            if (episode.site().equals(fleet.site(device).name())
                    && episode.deviceType().equals(fleet.model(device).type())) {
                int m = fleet.model(device).metricIndex(episode.metric());
                alertSeries.computeIfAbsent(e, k -> new ArrayList<>()).add(new double[] {device, ts, values[m]});
            }
        }
    }

    @Override
    public void duplicate(int device, long seq) {
        duplicates++;
    }

    @Override
    public void malformed(int device) {
        malformed++;
    }

    @Override
    public void message(SimMessage message) {
        messages++;
        switch (message.kind()) {
            case READINGS, DUPLICATE -> readingMessages++;
            case STATUS, LAST_WILL -> statusMessages++;
            default -> {}
        }
    }

    /** Writes every window that ends before {@code time}: no reading still to come can fall in it. */
    void flushBefore(long time) {
        for (int w = 0; w < WINDOWS.length; w++) {
            TreeMap<Long, Map<Long, Aggregate>> byStart = windows.get(w);
            while (!byStart.isEmpty() && byStart.firstKey() + WINDOWS[w] < time) {
                Map.Entry<Long, Map<Long, Aggregate>> first = byStart.pollFirstEntry();
                writeWindow(w, first.getKey(), first.getValue());
            }
        }
    }

    void finish() {
        flushBefore(Long.MAX_VALUE);
        writeAlerts();
        line("{\"type\":\"totals\",\"scenario\":\"" + fleet.scenario().name() + "\",\"seed\":"
                + fleet.scenario().seed()
                + ",\"messages\":" + messages + ",\"readingMessages\":" + readingMessages + ",\"readings\":" + readings
                + ",\"duplicates\":" + duplicates + ",\"malformed\":" + malformed + ",\"late\":" + late
                + ",\"outOfOrder\":" + outOfOrder + ",\"statusMessages\":" + statusMessages
                + ",\"devices\":" + fleet.size() + ",\"windowLines\":" + windowLines + ",\"alertLines\":" + alertLines
                + "}");
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void writeWindow(int w, long start, Map<Long, Aggregate> aggregates) {
        List<Long> keys = new ArrayList<>(aggregates.keySet());
        keys.sort(Comparator.<Long, String>comparing(k -> fleet.id((int) (k >>> 8)))
                .thenComparing(k -> k & 0xFF));
        Map<String, Aggregate> sites = new TreeMap<>();
        Map<String, java.util.Set<Integer>> siteDevices = new HashMap<>();
        for (long key : keys) {
            int device = (int) (key >>> 8);
            int m = (int) (key & 0xFF);
            Aggregate a = aggregates.get(key);
            Metric metric = fleet.model(device).metrics().get(m);
            String dims =
                    dims(device) + ",\"deviceId\":\"" + fleet.id(device) + "\",\"metric\":\"" + metric.name() + "\"";
            line("{\"type\":\"device_window\",\"window\":\"" + WINDOW_NAMES[w] + "\",\"start\":" + start + "," + dims
                    + a.fields() + "}");
            String siteKey = dims(device) + ",\"metric\":\"" + metric.name() + "\"";
            sites.computeIfAbsent(siteKey, k -> new Aggregate()).merge(a);
            siteDevices.computeIfAbsent(siteKey, k -> new java.util.HashSet<>()).add(device);
        }
        for (Map.Entry<String, Aggregate> site : sites.entrySet()) {
            line("{\"type\":\"site_window\",\"window\":\"" + WINDOW_NAMES[w] + "\",\"start\":" + start + ","
                    + site.getKey() + site.getValue().fields() + ",\"devices\":"
                    + siteDevices.get(site.getKey()).size() + "}");
        }
        windowLines += keys.size() + sites.size();
    }

    private void writeAlerts() {
        List<String[]> transitions = new ArrayList<>(); // {ts (padded), deviceId, line}
        for (Map.Entry<Integer, List<double[]>> entry : alertSeries.entrySet()) {
            Episode episode = episodes.get(entry.getKey());
            Map<Integer, List<double[]>> byDevice = new TreeMap<>();
            for (double[] point : entry.getValue()) {
                byDevice.computeIfAbsent((int) point[0], k -> new ArrayList<>()).add(point);
            }
            byDevice.forEach((device, points) -> {
                points.sort(Comparator.comparingDouble(p -> p[1]));
                evaluate(episode, device, points, transitions);
            });
        }
        transitions.sort(Comparator.<String[], String>comparing(t -> t[0]).thenComparing(t -> t[1]));
        for (String[] t : transitions) {
            line(t[2]);
        }
        alertLines = transitions.size();
    }

    private void evaluate(Episode episode, int device, List<double[]> points, List<String[]> transitions) {
        AlertRule rule = episode.alert();
        boolean raised = false;
        long holdingSince = -1;
        for (double[] p : points) {
            long ts = (long) p[1];
            double value = p[2];
            if (!raised) {
                if (value > rule.above()) {
                    if (holdingSince < 0) {
                        holdingSince = ts;
                    }
                    if (ts - holdingSince >= rule.holdFor().toMillis()) {
                        raised = true;
                        transitions.add(transition(episode, device, "raised", ts, value, rule.above()));
                    }
                } else {
                    holdingSince = -1;
                }
            } else if (value < rule.clearBelow()) {
                raised = false;
                holdingSince = -1;
                transitions.add(transition(episode, device, "cleared", ts, value, rule.clearBelow()));
            }
        }
    }

    private String[] transition(Episode episode, int device, String state, long ts, double value, double threshold) {
        String line = "{\"type\":\"alert\",\"rule\":\"" + episode.alert().name() + "\",\"severity\":\""
                + episode.alert().severity() + "\",\"state\":\"" + state + "\"," + dims(device) + ",\"deviceId\":\""
                + fleet.id(device) + "\",\"metric\":\"" + episode.metric() + "\",\"ts\":" + ts + ",\"value\":" + value
                + ",\"threshold\":" + threshold + "}";
        return new String[] {String.format("%020d", ts), fleet.id(device), line};
    }

    private String dims(int device) {
        Scenario.Site site = fleet.site(device);
        return "\"domain\":\"" + site.domain() + "\",\"site\":\"" + site.name() + "\",\"deviceType\":\""
                + fleet.model(device).type() + "\"";
    }

    private void line(String json) {
        try {
            out.write(json);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** count, sum, min, max of one window. */
    static final class Aggregate {
        long count;
        double sum;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;

        void add(double value) {
            count++;
            sum += value;
            min = Math.min(min, value);
            max = Math.max(max, value);
        }

        void merge(Aggregate other) {
            count += other.count;
            sum += other.sum;
            min = Math.min(min, other.min);
            max = Math.max(max, other.max);
        }

        String fields() {
            return ",\"count\":" + count + ",\"sum\":" + sum + ",\"min\":" + min + ",\"max\":" + max + ",\"mean\":"
                    + (sum / count);
        }
    }
}
