package io.twinstream.jobs.metrics;

import java.time.Instant;

/**
 * One metric of one device over one tumbling window: a {@code device_metrics} point, identified by
 * its tags and {@code start}, so writing a corrected window again replaces it.
 */
public record DeviceWindow(String domain, String site, String deviceType, String deviceId, String metric,
                           WindowSize window, Instant start, Aggregate values) {
}
