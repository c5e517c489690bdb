package io.twinstream.jobs.functions;

import java.time.Duration;
import java.time.Instant;

import io.twinstream.jobs.metrics.SiteContribution;
import io.twinstream.jobs.metrics.SiteKey;
import io.twinstream.jobs.metrics.SiteWindow;
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
 */
public final class SiteRollup extends KeyedProcessFunction<SiteKey, SiteContribution, SiteWindow> {

    private static final long serialVersionUID = 1L;

    private final long allowedLatenessMillis;
    private transient ValueState<SiteContribution> total;
    private transient ValueState<Boolean> emitted;

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
    }

    @Override
    public void processElement(SiteContribution contribution, Context context, Collector<SiteWindow> out) throws Exception {
        SiteKey key = context.getCurrentKey();
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
            out.collect(siteWindow(key, sum)); // a correction after the first emission: overwrite the point now
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<SiteWindow> out) throws Exception {
        SiteKey key = context.getCurrentKey();
        if (timestamp == cleanupTime(key)) {
            total.clear();
            emitted.clear();
        } else if (timestamp == key.lastMillisecond() && !Boolean.TRUE.equals(emitted.value())) {
            out.collect(siteWindow(key, total.value()));
            emitted.update(true);
        }
    }

    private long cleanupTime(SiteKey key) {
        return key.lastMillisecond() + allowedLatenessMillis + 1;
    }

    private static SiteWindow siteWindow(SiteKey key, SiteContribution sum) {
        return new SiteWindow(key.domain(), key.site(), key.deviceType(), key.metric(), key.size(),
                Instant.ofEpochMilli(key.start()), sum.values(), sum.devices());
    }
}
