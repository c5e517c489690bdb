package io.twinstream.jobs.functions;

import java.time.Duration;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Lets each reading through once. Ingest is at least once: a QoS 1 redelivery or a bridge restart
 * writes the same reading again, and counting it twice would be wrong. Keyed by device id; a
 * reading is identified by its seq, or by its timestamp when it carries none (SenML).
 *
 * <p>Bounded state: an identity is remembered for {@code memory} of processing time after it was
 * first seen (state TTL), so a duplicate that arrives later than that passes as new. Redeliveries
 * come within seconds to minutes; the default of 1 hour covers a bridge that was down that long.
 */
public final class Deduplicator extends KeyedProcessFunction<String, Reading, Reading> {

    private static final long serialVersionUID = 1L;

    private final Duration memory;
    private transient MapState<Long, Boolean> seenSeq;
    private transient MapState<Long, Boolean> seenTimestamp;
    private transient Counter duplicates;

    public Deduplicator(Duration memory) {
        if (memory.isNegative() || memory.isZero()) {
            throw new IllegalArgumentException("memory must be positive, was " + memory);
        }
        this.memory = memory;
    }

    @Override
    public void open(OpenContext context) {
        StateTtlConfig ttl = StateTtlConfig.newBuilder(memory)
                .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build();
        MapStateDescriptor<Long, Boolean> bySeq = new MapStateDescriptor<>("seen-seq", Long.class, Boolean.class);
        bySeq.enableTimeToLive(ttl);
        MapStateDescriptor<Long, Boolean> byTimestamp = new MapStateDescriptor<>("seen-ts", Long.class, Boolean.class);
        byTimestamp.enableTimeToLive(ttl);
        seenSeq = getRuntimeContext().getMapState(bySeq);
        seenTimestamp = getRuntimeContext().getMapState(byTimestamp);
        duplicates = getRuntimeContext().getMetricGroup().counter("duplicatesDropped");
    }

    @Override
    public void processElement(Reading reading, Context context, Collector<Reading> out) throws Exception {
        MapState<Long, Boolean> seen = reading.hasSeq() ? seenSeq : seenTimestamp;
        long identity = reading.hasSeq() ? reading.seq() : reading.ts();
        if (seen.contains(identity)) {
            duplicates.inc();
            return;
        }
        seen.put(identity, Boolean.TRUE);
        out.collect(reading);
    }
}
