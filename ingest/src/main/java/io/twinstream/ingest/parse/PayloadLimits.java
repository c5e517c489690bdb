package io.twinstream.ingest.parse;

import java.time.Duration;

/**
 * What ingest accepts from one MQTT message: each bound keeps one client's message from costing
 * the pipeline more than that message is worth. The bridge takes them from its configuration
 * ({@code ingest.*}); the defaults are below.
 *
 * @param maxPayloadBytes  larger payloads are refused unread ({@code too-large})
 * @param maxClockDistance a timestamp older than this is refused ({@code timestamp-out-of-range}):
 *                         replays and simulations may carry old times, 1970 may not
 * @param maxFuture        a timestamp more than this ahead of the bridge's clock is refused
 *                         ({@code timestamp-in-future}): it would move the jobs' event time on for all
 * @param maxMetrics       a reading with more metrics is refused ({@code too-many-metrics}): every
 *                         metric is a window, a point and a series downstream
 * @param maxAbsValue      a value of larger magnitude is refused ({@code value-out-of-range}): the
 *                         sums of 10^308-sized values overflow to infinity, which InfluxDB drops and
 *                         JSON cannot carry
 */
public record PayloadLimits(
        int maxPayloadBytes, Duration maxClockDistance, Duration maxFuture, int maxMetrics, double maxAbsValue) {

    public static final int DEFAULT_MAX_PAYLOAD_BYTES = 256 * 1024;
    public static final Duration DEFAULT_MAX_CLOCK_DISTANCE = Duration.ofDays(366);
    public static final Duration DEFAULT_MAX_FUTURE = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_METRICS = 64;
    /** Far beyond any sensor (a watt-hour counter would need 10^8 years), far below overflow. */
    public static final double DEFAULT_MAX_ABS_VALUE = 1e15;

    public static final PayloadLimits DEFAULTS = new PayloadLimits(
            DEFAULT_MAX_PAYLOAD_BYTES,
            DEFAULT_MAX_CLOCK_DISTANCE,
            DEFAULT_MAX_FUTURE,
            DEFAULT_MAX_METRICS,
            DEFAULT_MAX_ABS_VALUE);

    public PayloadLimits {
        if (maxPayloadBytes < 16 || maxPayloadBytes > 64 * 1024 * 1024) {
            throw new IllegalArgumentException(
                    "ingest.max-payload-bytes must be between 16 and " + 64 * 1024 * 1024 + ", was " + maxPayloadBytes);
        }
        if (maxFuture.isNegative() || maxFuture.compareTo(maxClockDistance) > 0) {
            throw new IllegalArgumentException("ingest.max-future (" + maxFuture + ") must be between 0 and"
                    + " ingest.max-clock-distance (" + maxClockDistance + ")");
        }
        if (maxMetrics < 1 || maxMetrics > 1000) {
            throw new IllegalArgumentException("ingest.max-metrics must be between 1 and 1000, was " + maxMetrics);
        }
        if (!(maxAbsValue > 0) || Double.isInfinite(maxAbsValue) || maxAbsValue > 1e300) {
            throw new IllegalArgumentException(
                    "ingest.max-abs-value must be above 0 and at most 1e300, was " + maxAbsValue);
        }
    }
}
