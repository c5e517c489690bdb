package io.twinstream.jobs.metrics;

import java.time.Instant;

/**
 * One metric of one device type at one site over one window: a {@code site_metrics} point; the
 * aggregate of its devices' windows and how many devices reported.
 *
 * @param isFinal false for an early result (what the site's devices have sent of a window still
 *                open), true once the watermark has closed the window and for each correction after
 */
public record SiteWindow(
        String domain,
        String site,
        String deviceType,
        String metric,
        WindowSize window,
        Instant start,
        Aggregate values,
        int devices,
        boolean isFinal) {

    /** A final site window. */
    public SiteWindow(
            String domain,
            String site,
            String deviceType,
            String metric,
            WindowSize window,
            Instant start,
            Aggregate values,
            int devices) {
        this(domain, site, deviceType, metric, window, start, values, devices, true);
    }
}
