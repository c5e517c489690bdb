package io.twinstream.jobs.functions;

import java.time.Duration;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Sends a reading that is far behind its own device's newest one to the late output, before the
 * windows see it. Keyed by device id, behind the de-duplication.
 *
 * <p>Why, beside the watermark: which readings the windows take as too late depends on where the
 * watermark is when each arrives, and after a restore that is not where it was the first time. The
 * source replays a backlog faster than it emits watermarks, one partition's backlog before the
 * other's, so the watermark trails the replayed readings by far more than in the first run: a
 * reading minutes late that the first run sent to {@code telemetry.late} was counted into its
 * window on replay (seen on a session cluster after a TaskManager was killed: windows with one
 * reading too many, and windows that should not exist). A device's own readings are replayed in
 * the order they first came (one device, one partition), so "behind its device's newest reading"
 * is the same in every run.
 *
 * <p>The bound is the device's newest timestamp minus out-of-orderness, the allowed lateness and the
 * longest window: a reading behind that is too late for every window by the watermark as well,
 * whenever the partitions are within one window length of each other (as they are when the job
 * keeps up), so a run without failures sends the same readings to the late output as before. A
 * reading less late than that is left to the watermark. The newest timestamp is forgotten
 * {@code memory} after the device's last reading, as the de-duplication's state is.
 */
public final class LateByDevice extends KeyedProcessFunction<String, Reading, Reading> {

    private static final long serialVersionUID = 1L;

    private final long boundMillis;
    private final Duration memory;
    private final OutputTag<Reading> late;
    private transient ValueState<Long> newest;

    /**
     * @param bound how far behind its device's newest reading a reading is sent to {@code late}
     * @param late  where such readings go
     */
    public LateByDevice(Duration bound, Duration memory, OutputTag<Reading> late) {
        if (bound.isNegative() || memory.isNegative() || memory.isZero()) {
            throw new IllegalArgumentException("bound must not be negative and memory must be positive");
        }
        this.boundMillis = bound.toMillis();
        this.memory = memory;
        this.late = late;
    }

    @Override
    public void open(OpenContext context) {
        ValueStateDescriptor<Long> descriptor = new ValueStateDescriptor<>("newest-ts", Long.class);
        descriptor.enableTimeToLive(Deduplicator.forgetAfter(memory)); // forgotten as the de-duplication's state
        newest = getRuntimeContext().getState(descriptor);
    }

    @Override
    public void processElement(Reading reading, Context context, Collector<Reading> out) throws Exception {
        Long newestTs = newest.value();
        if (newestTs != null && reading.ts() < newestTs - boundMillis) {
            context.output(late, reading);
            return;
        }
        if (newestTs == null || reading.ts() > newestTs) {
            newest.update(reading.ts());
        }
        out.collect(reading);
    }
}
