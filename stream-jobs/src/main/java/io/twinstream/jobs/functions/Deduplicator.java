package io.twinstream.jobs.functions;

import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets each reading through once. Ingest is at least once: a QoS 1 redelivery or a bridge restart
 * writes the same reading again, and counting it twice would be wrong. Keyed by device id; a
 * reading is identified by its seq, or by its timestamp when it carries none (SenML).
 *
 * <p>Bounded state. Readings with a seq: per device, the newest {@link RecentSequences#WIDTH} seqs
 * in a fixed-size window (see there: a restarted count is recognised; a redelivery further behind
 * than that passes as new). Readings without: each timestamp seen. Both are forgotten {@code memory}
 * of processing time after the device's last new reading (state TTL), so a duplicate that comes
 * later than that passes as new. Redeliveries come within seconds to minutes; the default of
 * 1 hour covers a bridge that was down that long.
 */
public final class Deduplicator extends KeyedProcessFunction<String, Reading, Reading> {

    private static final long serialVersionUID = 1L;

    private final Duration memory;
    private transient ValueState<RecentSequences> recentSeqs;
    private transient MapState<Long, Boolean> seenTimestamp;
    private transient Counter duplicates;

    public Deduplicator(Duration memory) {
        if (memory.isNegative() || memory.isZero()) {
            throw new IllegalArgumentException("memory must be positive, was " + memory);
        }
        this.memory = memory;
    }

    /** A device's state forgotten {@code memory} of processing time after it was last written. */
    public static StateTtlConfig forgetAfter(Duration memory) {
        return StateTtlConfig.newBuilder(memory)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
    }

    @Override
    public void open(OpenContext context) {
        StateTtlConfig ttl = forgetAfter(memory);
        ValueStateDescriptor<RecentSequences> bySeq = new ValueStateDescriptor<>("recent-seqs", RecentSequences.class);
        bySeq.enableTimeToLive(ttl);
        MapStateDescriptor<Long, Boolean> byTimestamp = new MapStateDescriptor<>("seen-ts", Long.class, Boolean.class);
        byTimestamp.enableTimeToLive(ttl);
        recentSeqs = getRuntimeContext().getState(bySeq);
        seenTimestamp = getRuntimeContext().getMapState(byTimestamp);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(Reading reading, Context context, Collector<Reading> out) throws Exception {
        if (reading.hasSeq() ? firstSeq(reading) : firstTimestamp(reading)) {
            out.collect(reading);
        } else {
            duplicates.inc();
        }
    }

    private boolean firstSeq(Reading reading) throws Exception {
        RecentSequences recent = recentSeqs.value();
        if (recent == null) {
            recent = new RecentSequences();
        }
        if (!recent.firstTime(reading.seq(), reading.ts())) {
            return false;
        }
        recentSeqs.update(recent); // also restarts its time to live
        return true;
    }

    private boolean firstTimestamp(Reading reading) throws Exception {
        if (seenTimestamp.contains(reading.ts())) {
            return false;
        }
        seenTimestamp.put(reading.ts(), Boolean.TRUE);
        return true;
    }
}
