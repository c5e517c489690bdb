package io.twinstream.jobs.metrics;

import java.io.Serializable;
import java.time.Duration;

/**
 * When the metrics job writes the running aggregate of windows still open, so a live dashboard
 * shows the current window instead of waiting for the watermark to close it (window length +
 * out-of-orderness + write time). An early result is the same point as the window's final value,
 * marked {@code final=false}; the final value overwrites it.
 *
 * <p>Only for recent windows: a window that ended more than {@code within} ago by the wall clock
 * is a backlog being caught up (a replay, a restart after hours), whose final value comes as fast
 * as the job catches up; early results for it would only add load. {@code within} leaves room for
 * a fleet whose clocks or delivery lag (the demo's simulated fleet runs up to a minute behind).
 *
 * @param every         processing time between a device's early results (ticks on its multiples,
 *                      the same for every device); zero: none
 * @param within        how long after its end by the wall clock a window still gets early results
 * @param deviceWindows device windows early too, not only site windows: one point per device,
 *                      metric and open window per tick, more than InfluxDB takes on a laptop for a
 *                      large fleet (off by default)
 */
public record EarlyResults(Duration every, Duration within, boolean deviceWindows) implements Serializable {

    public static final EarlyResults NONE = new EarlyResults(Duration.ZERO, Duration.ZERO, false);

    public EarlyResults {
        if (every.isNegative() || within.isNegative()) {
            throw new IllegalArgumentException("early results' interval and window must not be negative");
        }
        if (!every.isZero() && every.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("early results at most every 100 ms (or 0 for none), was " + every);
        }
    }

    public boolean enabled() {
        return !every.isZero();
    }

    /**
     * Whether a window whose last millisecond is {@code maxTimestamp} ended at most {@code within}
     * before {@code now}.
     */
    public boolean recent(long maxTimestamp, long now) {
        return maxTimestamp >= now - within.toMillis();
    }

    /** The first multiple of {@code every} after {@code now}. */
    public long nextTick(long now) {
        long step = every.toMillis();
        return (Math.floorDiv(now, step) + 1) * step;
    }
}
