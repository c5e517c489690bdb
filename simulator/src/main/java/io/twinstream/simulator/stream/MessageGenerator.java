package io.twinstream.simulator.stream;

import io.twinstream.simulator.device.Cycles;
import io.twinstream.simulator.device.DeviceModel;
import io.twinstream.simulator.device.Metric;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.scenario.Scenario.Episode;
import io.twinstream.simulator.scenario.Scenario.Faults;
import io.twinstream.simulator.scenario.Scenario.PayloadFormat;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * Writes a scenario's message stream, in order of simulated send time, one message per
 * {@link #next()} call, with no broker involved. Same scenario, scale and seed give the same
 * messages, byte for byte: each device draws from its own random generator, seeded from the
 * scenario seed and its index, and ties are broken by creation order.
 *
 * <p>Per reading, in this order: silence (dropout, offline) → model values → anomaly episode →
 * stuck / drift / spike faults → rounding → seq → clock skew → delay (late, out of order) →
 * encoding → duplicate and malformed extras. Counters are never touched by value faults.
 */
public final class MessageGenerator {

    private static final long BATCH_LINGER_MS = 1_000;

    private final DeviceFleet fleet;
    private final Scenario scenario;
    private final Faults faults;
    private final StreamObserver observer;
    private final PayloadEncoder encoder = new PayloadEncoder();
    private final int utcOffsetSeconds;
    private final long startMillis;
    private final long endMillis;

    // Per-device state, as arrays for a million devices.
    private final SplittableRandom[] random;
    private final double[][] modelState;
    private final long[] seq;
    private final long[] previousTs;
    private final long[] skewMillis;
    private final long[] silentUntil;
    private final boolean[] offline;
    private final long[] stuckUntil;
    private final double[][] stuckValues;
    private final long[] driftUntil;
    private final long[] driftStart;
    private final double[] driftPerHour;
    private final int[][] episodesOf;
    private final DeviceHeap due;

    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private final ArrayDeque<SimMessage> ready = new ArrayDeque<>();
    private final Batch[] batches;
    /** {flushAt, gateway}, earliest first; entries of batches that already went out are skipped. */
    private final PriorityQueue<long[]> flushes =
            new PriorityQueue<>((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));

    private long order;

    public MessageGenerator(DeviceFleet fleet, StreamObserver observer) {
        this.fleet = fleet;
        this.scenario = fleet.scenario();
        this.faults = scenario.faults();
        this.observer = observer;
        this.startMillis = scenario.start().toEpochMilli();
        this.endMillis = startMillis + scenario.duration().toMillis();
        this.utcOffsetSeconds =
                scenario.timezone().getRules().getOffset(scenario.start()).getTotalSeconds();
        int n = fleet.size();
        random = new SplittableRandom[n];
        modelState = new double[n][];
        seq = new long[n];
        previousTs = new long[n];
        skewMillis = new long[n];
        silentUntil = new long[n];
        offline = new boolean[n];
        stuckUntil = new long[n];
        stuckValues = new double[n][];
        driftUntil = new long[n];
        driftStart = new long[n];
        driftPerHour = new double[n];
        episodesOf = new int[n][];
        due = new DeviceHeap(n);
        batches = new Batch[fleet.gatewayCount()];
        long skewRange = faults.clockSkew().toMillis();
        for (int d = 0; d < n; d++) {
            random[d] = new SplittableRandom(mix(scenario.seed(), d));
            DeviceModel model = fleet.model(d);
            modelState[d] = new double[model.stateSize()];
            model.init(modelState[d], random[d]);
            skewMillis[d] = skewRange == 0 ? 0 : random[d].nextLong(-skewRange, skewRange + 1);
            episodesOf[d] = episodesFor(d);
            // Devices of a fleet start at random phases within their interval, as real ones do.
            due.add(
                    d,
                    startMillis + random[d].nextLong(fleet.fleet(d).interval().toMillis()));
        }
    }

    /** The next message in send order, or null when the stream is over. */
    public SimMessage next() {
        while (ready.isEmpty()) {
            long device = due.isEmpty() ? Long.MAX_VALUE : due.peekTime();
            if (device >= endMillis) {
                device = Long.MAX_VALUE;
            }
            long queued = pending.isEmpty() ? Long.MAX_VALUE : pending.peek().sendMillis;
            long flush = nextFlush();
            long now = Math.min(device, Math.min(queued, flush));
            if (now == Long.MAX_VALUE) {
                return null;
            }
            if (queued == now) {
                deliver(pending.poll());
            } else if (flush == now) {
                flushBatches(now);
            } else {
                int d = due.poll();
                if (device + skewMillis[d] >= endMillis) {
                    // This device's own clock (skewed) has reached the scenario's end: it has sent its
                    // last reading. So no reading is stamped at or after the end, and the scenario's
                    // last windows end with it: a pipeline closes them as soon as event time reaches
                    // the end, not a whole window (up to a minute) later for one skewed reading.
                    continue;
                }
                sampleDevice(d, device);
                due.add(d, device + fleet.fleet(d).interval().toMillis());
            }
        }
        SimMessage message = ready.poll();
        observer.message(message);
        return message;
    }

    public DeviceFleet fleet() {
        return fleet;
    }

    private void sampleDevice(int d, long now) {
        SplittableRandom r = random[d];
        Scenario.Fleet f = fleet.fleet(d);
        double intervalHours = f.interval().toMillis() / 3_600_000.0;
        if (now < silentUntil[d]) {
            return;
        }
        if (offline[d]) {
            offline[d] = false;
            observer.status(d, now + skewMillis[d], true);
            queue(
                    now,
                    new SimMessage(
                            now,
                            DeviceFleet.statusTopic(fleet.id(d)),
                            bytes("online"),
                            true,
                            fleet.connectionOf(d),
                            SimMessage.Kind.STATUS,
                            0),
                    null);
        }
        if (startsNow(r, faults.offlinePerHour(), intervalHours)) {
            offline[d] = true;
            silentUntil[d] = now + minutes(r, 1, 10);
            observer.status(d, now + skewMillis[d], false);
            queue(
                    now,
                    new SimMessage(
                            now,
                            DeviceFleet.statusTopic(fleet.id(d)),
                            bytes("offline"),
                            true,
                            fleet.connectionOf(d),
                            SimMessage.Kind.LAST_WILL,
                            0),
                    null);
            return;
        }
        if (startsNow(r, faults.dropoutPerHour(), intervalHours)) {
            silentUntil[d] = now + minutes(r, 1, 10);
            return;
        }

        DeviceModel model = fleet.model(d);
        List<Metric> metrics = model.metrics();
        double[] values = new double[metrics.size()];
        double dtHours = previousTs[d] == 0 ? 0 : (now - previousTs[d]) / 3_600_000.0;
        previousTs[d] = now;
        model.sample(
                modelState[d],
                new DeviceModel.Clock(
                        now, Cycles.hourOfDay(now, utcOffsetSeconds), Cycles.dayOfWeek(now, utcOffsetSeconds)),
                dtHours,
                r,
                values);
        applyEpisodes(d, now, metrics, values, r);
        applyValueFaults(d, now, metrics, values, r, intervalHours);
        for (int i = 0; i < values.length; i++) {
            values[i] = metrics.get(i).round(values[i]);
        }

        long readingSeq = ++seq[d];
        long ts = now + skewMillis[d];
        boolean drawnLate = faults.late() > 0 && r.nextDouble() < faults.late();
        // A late send after the end of the stream is sent on time instead: with nothing after it to
        // move event time on, no pipeline could tell it from an on-time reading (and none should drop it).
        boolean late = drawnLate && now + faults.lateDelay().toMillis() < endMillis;
        long delay = drawnLate
                ? (late ? faults.lateDelay().toMillis() : 0)
                : faults.outOfOrder() > 0 && r.nextDouble() < faults.outOfOrder()
                        ? 1 + r.nextLong(faults.outOfOrderMaxDelay().toMillis())
                        : 0;
        observer.reading(d, readingSeq, ts, values, late, delay);
        long send = now + delay;

        boolean duplicate = faults.duplicate() > 0 && r.nextDouble() < faults.duplicate();
        long duplicateSend = duplicate ? send + r.nextLong(2_000) : 0;
        if (f.format() == PayloadFormat.BATCH) {
            BatchEntry entry = new BatchEntry(d, ts, readingSeq, values);
            queue(send, null, entry);
            if (duplicate) {
                observer.duplicate(d, readingSeq);
                queue(duplicateSend, null, entry.asDuplicate());
            }
        } else {
            byte[] payload = switch (f.format()) {
                case SENML -> encoder.senml(fleet.id(d), ts, metrics, values);
                case SENML_DRAFT -> encoder.senmlDraft(fleet.id(d), ts, metrics, values);
                default -> encoder.json(ts, readingSeq, metrics, values);
            };
            String topic = fleet.telemetryTopic(d);
            queue(
                    send,
                    new SimMessage(send, topic, payload, false, fleet.connectionOf(d), SimMessage.Kind.READINGS, 1),
                    null);
            if (duplicate) {
                observer.duplicate(d, readingSeq);
                queue(
                        duplicateSend,
                        new SimMessage(
                                duplicateSend,
                                topic,
                                payload,
                                false,
                                fleet.connectionOf(d),
                                SimMessage.Kind.DUPLICATE,
                                1),
                        null);
            }
        }
        if (faults.malformed() > 0 && r.nextDouble() < faults.malformed()) {
            observer.malformed(d);
            queue(
                    now,
                    new SimMessage(
                            now,
                            fleet.telemetryTopic(d),
                            encoder.malformed(ts, readingSeq, r),
                            false,
                            fleet.connectionOf(d),
                            SimMessage.Kind.MALFORMED,
                            0),
                    null);
        }
    }

    private void applyEpisodes(int d, long now, List<Metric> metrics, double[] values, SplittableRandom r) {
        for (int e : episodesOf[d]) {
            Episode episode = scenario.episodes().get(e);
            long from = startMillis + episode.start().toMillis();
            if (now >= from && now < from + episode.duration().toMillis()) {
                int m = fleet.model(d).metricIndex(episode.metric());
                values[m] = episode.level() + DeviceModel.noise(r, Math.abs(episode.level()) * 0.02);
            }
        }
    }

    private void applyValueFaults(
            int d, long now, List<Metric> metrics, double[] values, SplittableRandom r, double intervalHours) {
        if (now < stuckUntil[d]) {
            for (int i = 0; i < values.length; i++) {
                if (!metrics.get(i).counter()) {
                    values[i] = stuckValues[d][i]; // the sensor repeats itself; counters still count
                }
            }
            return;
        }
        if (startsNow(r, faults.stuckPerHour(), intervalHours)) {
            stuckUntil[d] = now + minutes(r, 5, 30);
            stuckValues[d] = values.clone();
        }
        if (now < driftUntil[d]) {
            double hours = (now - driftStart[d]) / 3_600_000.0;
            for (int i = 0; i < values.length; i++) {
                if (!metrics.get(i).counter()) {
                    values[i] += driftPerHour[d] * hours * Math.max(1.0, Math.abs(values[i]));
                }
            }
        } else if (startsNow(r, faults.driftPerHour(), intervalHours)) {
            driftStart[d] = now;
            driftUntil[d] = now + minutes(r, 60, 360);
            driftPerHour[d] = (r.nextBoolean() ? 1 : -1) * (0.02 + 0.08 * r.nextDouble()); // 2-10 % per hour
        }
        if (faults.spike() > 0 && r.nextDouble() < faults.spike()) {
            int m = r.nextInt(values.length);
            if (!metrics.get(m).counter()) {
                values[m] = values[m] * (3 + 3 * r.nextDouble()) + (values[m] == 0 ? 100 : 0);
            }
        }
    }

    private void queue(long sendMillis, SimMessage message, BatchEntry entry) {
        pending.add(new Pending(sendMillis, order++, message, entry));
    }

    private void deliver(Pending p) {
        if (p.message != null) {
            ready.add(p.message);
            return;
        }
        int gateway = fleet.gateway(p.entry.device);
        Batch batch = batches[gateway];
        if (batch == null) {
            batch = batches[gateway] = new Batch();
        }
        if (batch.entries.isEmpty()) {
            batch.flushAt = p.sendMillis + BATCH_LINGER_MS;
            flushes.add(new long[] {batch.flushAt, gateway});
        }
        batch.entries.add(p.entry);
        if (batch.entries.size() >= scenario.publish().batchSize()) {
            ready.add(encodeBatch(gateway, batch, p.sendMillis));
        }
    }

    /** When the oldest open batch must go out (a gateway waits at most a second to fill one). */
    private long nextFlush() {
        while (!flushes.isEmpty()) {
            long[] head = flushes.peek();
            Batch batch = batches[(int) head[1]];
            if (!batch.entries.isEmpty() && batch.flushAt == head[0]) {
                return head[0];
            }
            flushes.poll(); // that batch went out full before its time
        }
        return Long.MAX_VALUE;
    }

    private void flushBatches(long now) {
        while (!flushes.isEmpty() && flushes.peek()[0] <= now) {
            int g = (int) flushes.poll()[1];
            Batch batch = batches[g];
            if (!batch.entries.isEmpty() && batch.flushAt <= now) {
                ready.add(encodeBatch(g, batch, now));
            }
        }
    }

    private SimMessage encodeBatch(int gateway, Batch batch, long now) {
        encoder.beginBatch();
        boolean allDuplicates = true;
        for (BatchEntry e : batch.entries) {
            DeviceModel model = fleet.model(e.device);
            encoder.batchReading(fleet.id(e.device), model.type(), e.ts, e.seq, model.metrics(), e.values);
            allDuplicates &= e.duplicate;
        }
        int count = batch.entries.size();
        batch.entries.clear();
        return new SimMessage(
                now,
                fleet.batchTopic(gateway),
                encoder.endBatch(),
                false,
                gateway,
                allDuplicates ? SimMessage.Kind.DUPLICATE : SimMessage.Kind.READINGS,
                count);
    }

    private int[] episodesFor(int d) {
        return java.util.stream.IntStream.range(0, scenario.episodes().size())
                .filter(e ->
                        scenario.episodes().get(e).site().equals(fleet.site(d).name())
                                && scenario.episodes()
                                        .get(e)
                                        .deviceType()
                                        .equals(fleet.model(d).type()))
                .toArray();
    }

    /** A fault episode starts at this reading with probability rate-per-hour × interval. */
    private static boolean startsNow(SplittableRandom r, double perHour, double intervalHours) {
        return perHour > 0 && r.nextDouble() < perHour * intervalHours;
    }

    private static long minutes(SplittableRandom r, int min, int max) {
        return Duration.ofMinutes(min).toMillis()
                + r.nextLong(Duration.ofMinutes(max - min).toMillis() + 1);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** SplitMix64 of seed and index: independent, reproducible streams per device. */
    private static long mix(long seed, long index) {
        long z = seed + 0x9E3779B97F4A7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private record BatchEntry(int device, long ts, long seq, double[] values, boolean duplicate) {
        BatchEntry(int device, long ts, long seq, double[] values) {
            this(device, ts, seq, values, false);
        }

        BatchEntry asDuplicate() {
            return new BatchEntry(device, ts, seq, values, true);
        }
    }

    private static final class Batch {
        final java.util.ArrayList<BatchEntry> entries = new java.util.ArrayList<>();
        long flushAt;
    }

    private record Pending(long sendMillis, long order, SimMessage message, BatchEntry entry)
            implements Comparable<Pending> {
        @Override
        public int compareTo(Pending other) {
            int bySend = Long.compare(sendMillis, other.sendMillis);
            return bySend != 0 ? bySend : Long.compare(order, other.order);
        }
    }
}
