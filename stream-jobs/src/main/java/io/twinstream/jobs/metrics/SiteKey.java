package io.twinstream.jobs.metrics;

/** What a {@code site_metrics} point is per: one metric of one device type at one site, one window. */
public record SiteKey(String domain, String site, String deviceType, String metric, WindowSize window, long start) {

    public static SiteKey of(DeviceWindow w) {
        return new SiteKey(w.domain(), w.site(), w.deviceType(), w.metric(), w.window(), w.start().toEpochMilli());
    }

    /** The last millisecond of the window: its device windows carry this timestamp. */
    public long lastMillisecond() {
        return start + window.length().toMillis() - 1;
    }
}
