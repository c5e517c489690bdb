package io.twinstream.jobs.metrics;

import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Site windows from the devices' contributions ({@link SiteContribution}, combined per device-window
 * instance by {@link SitePartials}): keyed by {@link SiteKey}, it adds them up (counts and sums
 * added, min of mins, max of maxes, devices counted) and, when the watermark passes the window's
 * end, emits the site window once. A contribution that comes later (a late reading within the
 * allowed lateness) is added and the site window is emitted again at once, overwriting its point.
 * State is dropped when the allowed lateness has passed too.
 *
 * <p>Early contributions (what open device windows gained since their last tick) are added up
 * apart, and each time one comes, before the window's final emission, the site window is emitted
 * with that sum marked not final: an early result, which the final value overwrites. Early sums
 * never enter the final one, so the final value is the same with early results or without.
 */
public final class SiteRollup extends KeyedProcessFunction<SiteKey, SiteContribution, SiteWindow> {

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMillis;
    private transient ValueState<SiteContribution> total;
    private transient ValueState<Boolean> emitted;
    private transient ValueState<SiteContribution> earlyTotal;

    public SiteRollup(Duration allowedLateness) {
        if (allowedLateness.isNegative()) {
            throw new IllegalArgumentException("allowed lateness must not be negative, was " + allowedLateness);
        }
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        total = getRuntimeContext().getState(new ValueStateDescriptor<>("total", SiteContribution.class));
        emitted = getRuntimeContext().getState(new ValueStateDescriptor<>("emitted", Boolean.class));
        earlyTotal = getRuntimeContext().getState(new ValueStateDescriptor<>("early", SiteContribution.class));
    }

    @Override
    public void processElement(SiteContribution contribution, Context context, Collector<SiteWindow> out)
            throws Exception {
        SiteKey key = context.getCurrentKey();
        if (contribution.early()) {
            addEarly(key, contribution, context, out);
            return;
        }
        SiteContribution sum = total.value();
        if (sum == null) {
            context.timerService().registerEventTimeTimer(key.lastMillisecond());
            context.timerService().registerEventTimeTimer(cleanupTime(key));
            sum = contribution;
        } else {
            sum = sum.plus(contribution);
        }
        total.update(sum);
        if (Boolean.TRUE.equals(emitted.value())) {
            out.collect(siteWindow(key, sum, true)); // a correction after the first emission: overwrite the point now
        }
    }

    private void addEarly(SiteKey key, SiteContribution contribution, Context context, Collector<SiteWindow> out)
            throws Exception {
        if (Boolean.TRUE.equals(emitted.value())
                || key.lastMillisecond() <= context.timerService().currentWatermark()) {
            return; // the window is closed (an early share cannot come after that: it precedes the watermark)
        }
        SiteContribution sum = earlyTotal.value();
        if (sum == null) {
            context.timerService().registerEventTimeTimer(cleanupTime(key)); // the same timer as the final total's
            sum = contribution;
        } else {
            sum = sum.plus(contribution);
        }
        earlyTotal.update(sum);
        out.collect(siteWindow(key, sum, false));
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<SiteWindow> out) throws Exception {
        SiteKey key = context.getCurrentKey();
        if (timestamp == cleanupTime(key)) {
            total.clear();
            emitted.clear();
            earlyTotal.clear();
        } else if (timestamp == key.lastMillisecond() && !Boolean.TRUE.equals(emitted.value())) {
            SiteContribution sum = total.value();
            if (sum != null) { // null: only early shares came (a window that closes holds a final share for each)
                out.collect(siteWindow(key, sum, true));
            }
            emitted.update(true);
            earlyTotal.clear();
        }
    }

    private long cleanupTime(SiteKey key) {
        return key.lastMillisecond() + allowedLatenessMillis + 1;
    }

    private static SiteWindow siteWindow(SiteKey key, SiteContribution sum, boolean isFinal) {
        return new SiteWindow(
                key.domain(),
                key.site(),
                key.deviceType(),
                key.metric(),
                key.size(),
                Instant.ofEpochMilli(key.start()),
                sum.values(),
                sum.devices(),
                isFinal);
    }
}
