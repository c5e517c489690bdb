package io.twinstream.jobs.metrics;

import java.time.Instant;

/**
 * One metric of one device type at one site over one window: a {@code site_metrics} point; the
 * aggregate of its devices' windows and how many devices reported.
 */
public record SiteWindow(String domain, String site, String deviceType, String metric, WindowSize window,
                         Instant start, Aggregate values, int devices) {
}
