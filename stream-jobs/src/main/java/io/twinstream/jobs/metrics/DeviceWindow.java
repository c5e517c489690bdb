package io.twinstream.jobs.metrics;

import java.time.Instant;

/**
 * One metric of one device over one tumbling window: a {@code device_metrics} point, identified by
 * its tags and {@code start}, so writing a corrected window again replaces it.
 *
 * @param isFinal false for an early result (the running aggregate of a window still open, written
 *                again as the window fills), true once the watermark has closed the window and
 *                for each correction after that
 */
public record DeviceWindow(
        String domain,
        String site,
        String deviceType,
        String deviceId,
        String metric,
        WindowSize window,
        Instant start,
        Aggregate values,
        boolean isFinal) {

    /** A final device window. */
    public DeviceWindow(
            String domain,
            String site,
            String deviceType,
            String deviceId,
            String metric,
            WindowSize window,
            Instant start,
            Aggregate values) {
        this(domain, site, deviceType, deviceId, metric, window, start, values, true);
    }
}
