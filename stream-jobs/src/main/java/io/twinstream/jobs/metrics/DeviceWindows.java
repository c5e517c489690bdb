package io.twinstream.jobs.metrics;

import io.twinstream.jobs.functions.Deduplicator;
import io.twinstream.jobs.functions.RecentSequences;
import io.twinstream.jobs.functions.WindowAggregate;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The metrics job's per-device work in one keyed function, one state entry per device
 * ({@link DeviceState}): each reading let through once, far-late readings out, and tumbling
 * event-time windows of every {@link WindowSize} aggregated per metric (count, sum, min, max).
 *
 * <p>It does what three operators did before — {@link Deduplicator}, {@code LateByDevice}, and one
 * Flink window operator per size with an allowed lateness and a late side output — with the same
 * results, at a fraction of the cost: the profile of the metrics job showed most of its time in
 * per-operator state lookups, state time-to-live bookkeeping, a timer registered per reading and
 * window size, and a copy of each reading between chained operators. Here a reading costs one
 * state lookup; timers are registered when a window opens, not per reading; idle devices are
 * forgotten by one processing-time timer instead of a time-to-live on every access.
 *
 * <p>Per reading, in this order:
 * <ol>
 *   <li>De-duplication, as {@link Deduplicator}: by seq in {@link RecentSequences}; a reading without
 *       a seq (SenML) by its timestamp, in a map kept {@code memory} after each entry.</li>
 *   <li>Far-late: more than {@code farLateBound} behind the device's newest timestamp ⇒ to
 *       {@code late} once per window size, counted in no window. Why, beside the watermark: which
 *       readings count as too late depends on where the watermark is when each arrives, and after a
 *       restore that is not where it was the first time (the source replays one partition's backlog
 *       before another's, so the watermark trails far behind): a reading minutes late that the first
 *       run sent to {@code telemetry.late} was counted into its window on replay (seen on a session
 *       cluster after a TaskManager was killed). A device's own readings replay in the order they
 *       first came, so "behind its device's newest" is the same in every run.</li>
 *   <li>Per size, as Flink's window operator with {@code allowedLateness} and {@code EventTimeTrigger}:
 *       a window whose end plus the allowed lateness the watermark has passed takes nothing (the
 *       reading goes to {@code late} for that size); otherwise the reading is added, and if the
 *       watermark has already passed the window's end the corrected window is emitted at once.
 *       A window is emitted when the watermark passes its end and dropped when it passes its end
 *       plus the allowed lateness.</li>
 * </ol>
 * With each emission goes what it adds to the site windows, on the {@code sites} side output: a
 * window's whole aggregate per metric when the watermark passes its end, a correcting reading's own
 * values when it comes late ({@link SiteContribution}). With {@link EarlyResults}, a device whose
 * recent windows took a reading also has a processing-time tick: each open window sends what it
 * gained since the last tick as an early contribution (and, if asked, itself marked not final);
 * what was sent is kept per window, so the next tick and a restore send only the rest.
 * A device's seqs and newest timestamp are forgotten {@code memory} of processing time after its
 * last new reading (so a duplicate later than that passes as new, as before); its state goes with
 * them once it has no open window.
 */
public final class DeviceWindows extends KeyedProcessFunction<String, Reading, DeviceWindow> {

    private static final long serialVersionUID = 1L;

    private final WindowSize[] sizes;
    private final long allowedLatenessMillis;
    private final long farLateBoundMillis;
    private final Duration memory;
    private final EarlyResults early;
    private final OutputTag<Reading> late;
    private final OutputTag<SiteContribution> sites;
    private transient ValueState<DeviceState> device;
    private transient MapState<Long, Boolean> seenTimestamp;
    private transient Counter duplicates;

    /**
     * @param farLateBound    how far behind its device's newest reading a reading is too late for every window
     * @param memory          how long a device's seqs and timestamps are remembered after its last new reading
     * @param early           when open windows pass on their running aggregates ({@link EarlyResults})
     * @param late            where readings too late for a window go, once per window size
     * @param sites           what each emitted device window adds to its site windows ({@link SiteContribution})
     */
    public DeviceWindows(
            WindowSize[] sizes,
            Duration allowedLateness,
            Duration farLateBound,
            Duration memory,
            EarlyResults early,
            OutputTag<Reading> late,
            OutputTag<SiteContribution> sites) {
        if (sizes.length == 0) {
            throw new IllegalArgumentException("at least one window size");
        }
        if (allowedLateness.isNegative() || farLateBound.isNegative() || memory.isNegative() || memory.isZero()) {
            throw new IllegalArgumentException(
                    "allowed lateness and the far-late bound must not be negative, memory must be positive");
        }
        this.sizes = sizes.clone();
        this.allowedLatenessMillis = allowedLateness.toMillis();
        this.farLateBoundMillis = farLateBound.toMillis();
        this.memory = memory;
        this.early = early;
        this.late = late;
        this.sites = sites;
    }

    @Override
    public void open(OpenContext context) {
        device = getRuntimeContext().getState(new ValueStateDescriptor<>("device", DeviceStateSerializer.INSTANCE));
        // Readings without a seq only (SenML): each timestamp seen, forgotten memory after it was written.
        MapStateDescriptor<Long, Boolean> byTimestamp = new MapStateDescriptor<>("seen-ts", Long.class, Boolean.class);
        byTimestamp.enableTimeToLive(Deduplicator.forgetAfter(memory)); // as the alerts job's de-duplication
        seenTimestamp = getRuntimeContext().getMapState(byTimestamp);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(Reading reading, Context context, Collector<DeviceWindow> out) throws Exception {
        DeviceState state = device.value();
        if (state == null) {
            state = new DeviceState();
        }
        boolean first =
                reading.hasSeq() ? state.recent.firstTime(reading.seq(), reading.ts()) : firstTimestamp(reading);
        if (!first) {
            duplicates.inc();
            return; // the device's state is as it was (a new, empty one is not kept: it would have no timer to forget
            // it)
        }
        long now = context.timerService().currentProcessingTime();
        state.lastActive = now;
        if (state.forgetAt == 0) {
            state.forgetAt = now + memory.toMillis();
            context.timerService().registerProcessingTimeTimer(state.forgetAt);
        }
        if (state.newestTs != Long.MIN_VALUE && reading.ts() < state.newestTs - farLateBoundMillis) {
            for (int i = 0; i < sizes.length; i++) {
                context.output(late, reading);
            }
        } else {
            state.newestTs = Math.max(state.newestTs, reading.ts());
            addToWindows(reading, state, now, context, out);
        }
        device.update(state);
    }

    /** @param now the processing time the reading came at */
    private void addToWindows(
            Reading reading, DeviceState state, long now, Context context, Collector<DeviceWindow> out) {
        long watermark = context.timerService().currentWatermark();
        for (WindowSize size : sizes) {
            long start = size.startOf(reading.ts());
            if (cleanupTime(size, start) <= watermark) {
                context.output(late, reading); // its window is gone for good
                continue;
            }
            DeviceState.OpenWindow window = state.window(size, start);
            if (window == null) {
                window = new DeviceState.OpenWindow(size, start);
                state.windows.add(window);
                if (window.maxTimestamp() > watermark) {
                    context.timerService().registerEventTimeTimer(window.maxTimestamp());
                }
                context.timerService().registerEventTimeTimer(cleanupTime(window));
            }
            if (window.maxTimestamp() > watermark) {
                window.aggregate.add(reading);
                scheduleEarlyResults(window, state, now, context);
            } else { // a correction within the allowed lateness: the window again, and what the reading adds to its
                // sites
                WindowAggregate.Accumulator acc = window.aggregate;
                boolean[] newMetric = new boolean[reading.metricCount()];
                for (int i = 0; i < newMetric.length; i++) {
                    newMetric[i] = !acc.has(reading.metricNames()[i]);
                }
                acc.add(reading);
                emitDeviceWindow(context.getCurrentKey(), window, out, null);
                for (int i = 0; i < newMetric.length; i++) {
                    context.output(
                            sites,
                            new SiteContribution(
                                    siteKey(window, reading.metricNames()[i]),
                                    Aggregate.of(reading.metricValues()[i]),
                                    newMetric[i] ? 1 : 0,
                                    true));
                }
            }
        }
    }

    /**
     * The device's next early-results tick, if the window is recent by the wall clock and none is
     * set. Ticks are on multiples of {@code early.every()}, the same for every device, so the
     * site contributions of one tick leave together and are combined ({@link SitePartials}).
     */
    private void scheduleEarlyResults(DeviceState.OpenWindow window, DeviceState state, long now, Context context) {
        if (!early.enabled() || state.earlyAt != 0) {
            return;
        }
        if (early.recent(window.maxTimestamp(), now)) {
            state.earlyAt = early.nextTick(now);
            context.timerService().registerProcessingTimeTimer(state.earlyAt);
        }
    }

    private boolean firstTimestamp(Reading reading) throws Exception {
        if (seenTimestamp.contains(reading.ts())) {
            return false;
        }
        seenTimestamp.put(reading.ts(), Boolean.TRUE);
        return true;
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<DeviceWindow> out) throws Exception {
        DeviceState state = device.value();
        if (state == null) {
            return;
        }
        if (context.timeDomain() == TimeDomain.PROCESSING_TIME) {
            if (timestamp == state.earlyAt) {
                state.earlyAt = 0;
                emitEarlyResults(state, context, out);
                device.update(state);
            }
            if (timestamp == state.forgetAt) {
                forgetIfIdle(timestamp, state, context);
            }
            return; // else a timer of a state that was cleared and started again
        }
        List<DeviceState.OpenWindow> windows = state.windows;
        // Emit first, then drop: with no allowed lateness a window's end is also its clean-up time.
        for (DeviceState.OpenWindow window : windows) {
            if (window.maxTimestamp() == timestamp) {
                emitDeviceWindow(
                        context.getCurrentKey(), window, out, context); // and its whole part in each site window
            }
        }
        boolean dropped = false;
        for (Iterator<DeviceState.OpenWindow> it = windows.iterator(); it.hasNext(); ) {
            if (cleanupTime(it.next()) == timestamp) {
                it.remove();
                dropped = true;
            }
        }
        if (dropped) {
            if (windows.isEmpty() && state.forgetAt == 0) { // a pending early tick finds no state: nothing to send
                device.clear();
            } else {
                device.update(state);
            }
        }
    }

    /**
     * The running aggregate of each window the watermark has not closed yet and that changed since
     * the last tick: what it gained since on the {@code sites} output (an early contribution), and,
     * if {@code early.deviceWindows()}, the device window itself marked not final.
     */
    private void emitEarlyResults(DeviceState state, OnTimerContext context, Collector<DeviceWindow> out) {
        long watermark = context.timerService().currentWatermark();
        String deviceId = context.getCurrentKey();
        for (DeviceState.OpenWindow window : state.windows) {
            if (window.maxTimestamp() <= watermark || !window.changedSinceSent()) {
                continue;
            }
            WindowAggregate.Accumulator acc = window.aggregate;
            for (int i = 0; i < acc.metrics.length; i++) {
                long sent = window.sentCount(i);
                if (acc.counts[i] == sent) {
                    continue;
                }
                if (early.deviceWindows()) {
                    out.collect(new DeviceWindow(
                            acc.domain,
                            acc.site,
                            acc.deviceType,
                            deviceId,
                            acc.metrics[i],
                            window.size,
                            Instant.ofEpochMilli(window.start),
                            acc.aggregate(i),
                            false));
                }
                // Since the last tick: count and sum are differences; min and max so far combine to the same.
                Aggregate gained =
                        new Aggregate(acc.counts[i] - sent, acc.sums[i] - window.sentSum(i), acc.mins[i], acc.maxs[i]);
                context.output(
                        sites,
                        new SiteContribution(siteKey(window, acc.metrics[i]), gained, sent == 0 ? 1 : 0, false, true));
            }
            window.markSent();
        }
    }

    /** Forgets the device's seqs and newest timestamp {@code memory} after its last new reading. */
    private void forgetIfIdle(long timestamp, DeviceState state, OnTimerContext context) throws Exception {
        long due = state.lastActive + memory.toMillis();
        if (due > timestamp) {
            state.forgetAt = due; // active since: look again when its memory would end
            context.timerService().registerProcessingTimeTimer(due);
            device.update(state);
        } else if (state.windows.isEmpty()) {
            device.clear();
        } else {
            DeviceState forgotten = new DeviceState();
            forgotten.windows = state.windows; // open windows still close and clean up by event time
            forgotten.earlyAt = state.earlyAt; // and still pass on early results
            device.update(forgotten);
        }
    }

    private long cleanupTime(DeviceState.OpenWindow window) {
        return cleanupTime(window.size, window.start);
    }

    /**
     * When a window is dropped: its end plus the allowed lateness (Long.MAX_VALUE on overflow, as
     * Flink's window operator).
     */
    private long cleanupTime(WindowSize size, long start) {
        long maxTimestamp = start + size.length().toMillis() - 1;
        long cleanup = maxTimestamp + allowedLatenessMillis;
        return cleanup >= maxTimestamp ? cleanup : Long.MAX_VALUE;
    }

    private static SiteKey siteKey(DeviceState.OpenWindow window, String metric) {
        WindowAggregate.Accumulator acc = window.aggregate;
        return new SiteKey(acc.domain, acc.site, acc.deviceType, metric, window.size.tag(), window.start);
    }

    /**
     * The window's device windows, one per metric; with {@code closing} (the watermark passed its
     * end) also each metric's whole aggregate and one device to its site window.
     */
    private void emitDeviceWindow(
            String deviceId, DeviceState.OpenWindow window, Collector<DeviceWindow> out, OnTimerContext closing) {
        WindowAggregate.Accumulator acc = window.aggregate;
        Instant start = Instant.ofEpochMilli(window.start);
        for (int i = 0; i < acc.metrics.length; i++) {
            Aggregate values = acc.aggregate(i);
            out.collect(new DeviceWindow(
                    acc.domain, acc.site, acc.deviceType, deviceId, acc.metrics[i], window.size, start, values));
            if (closing != null) {
                closing.output(sites, new SiteContribution(siteKey(window, acc.metrics[i]), values, 1, false));
            }
        }
    }
}
