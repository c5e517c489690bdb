package io.twinstream.jobs.time;

import java.time.Duration;
import java.util.function.LongSupplier;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.eventtime.WatermarkGenerator;
import org.apache.flink.api.common.eventtime.WatermarkOutput;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;

/**
 * Event-time watermarks that do not stall when the readings stop. While readings arrive, the
 * watermark is the highest timestamp seen minus the out-of-orderness (bounded out-of-orderness).
 * When none has arrived for {@code idleAfter} of wall time (the end of a run, a quiet night, a
 * partition with no devices), it moves forward by the wall time elapsed beyond that, so the last
 * windows still close, at most out-of-orderness + idleAfter + window length of wall time after their
 * end. It never jumps to the wall clock itself: replays and accelerated simulations carry event
 * times far from now. A reading that arrives after such an advance and is behind the watermark is
 * late: within the allowed lateness it corrects its window, beyond it it goes to the late output.
 */
public final class IdleAdvancingWatermarks implements WatermarkGenerator<Reading> {

    private final long outOfOrdernessMillis;
    private final long idleAfterMillis;
    private final LongSupplier wallClock;
    private long maxTimestamp = Long.MIN_VALUE;
    private long lastEventWallTime;
    private long lastEmitted = Long.MIN_VALUE;

    public IdleAdvancingWatermarks(Duration outOfOrderness, Duration idleAfter, LongSupplier wallClock) {
        if (outOfOrderness.isNegative() || idleAfter.isNegative()) {
            throw new IllegalArgumentException("out-of-orderness and idle time must not be negative");
        }
        this.outOfOrdernessMillis = outOfOrderness.toMillis();
        this.idleAfterMillis = idleAfter.toMillis();
        this.wallClock = wallClock;
    }

    /** The job's strategy: event time from {@link Reading#ts()}, this generator on the wall clock. */
    public static WatermarkStrategy<Reading> strategy(Duration outOfOrderness, Duration idleAfter) {
        return WatermarkStrategy.<Reading>forGenerator(
                        context -> new IdleAdvancingWatermarks(outOfOrderness, idleAfter, System::currentTimeMillis))
                .withTimestampAssigner((reading, previous) -> reading.ts());
    }

    @Override
    public void onEvent(Reading reading, long eventTimestamp, WatermarkOutput output) {
        maxTimestamp = Math.max(maxTimestamp, eventTimestamp);
        lastEventWallTime = wallClock.getAsLong();
    }

    @Override
    public void onPeriodicEmit(WatermarkOutput output) {
        if (maxTimestamp == Long.MIN_VALUE) {
            return; // nothing seen yet: no basis for a watermark
        }
        long idleFor = wallClock.getAsLong() - lastEventWallTime;
        long advance = Math.max(0, idleFor - idleAfterMillis);
        long watermark = maxTimestamp - outOfOrdernessMillis - 1 + advance;
        if (watermark > lastEmitted) { // watermarks never go back
            lastEmitted = watermark;
            output.emitWatermark(new Watermark(watermark));
        }
    }
}
