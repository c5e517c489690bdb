package io.twinstream.jobs.metrics;

/**
 * What a {@code site_metrics} point is per: one metric of one device type at one site, one window.
 *
 * <p>A shuffle key: its {@code hashCode} picks the key group, and must be the same in every JVM of
 * a cluster (the sending TaskManager and the one that owns the key group) and across restores
 * (state is stored per key group). So it holds only strings and numbers: an enum's
 * {@code hashCode} is an identity hash that differs from JVM to JVM, and the record once holding
 * {@link WindowSize} failed across TaskManagers ("Key group N is not in KeyGroupRange") and lost
 * open site windows in a restore into a fresh TaskManager. {@code KeyHashingTest} guards it.
 *
 * @param window the window size's tag ({@link WindowSize#tag()}), e.g. {@code 1m}
 */
public record SiteKey(String domain, String site, String deviceType, String metric, String window, long start) {

    public SiteKey {
        if (WindowSize.fromTag(window) == null) {
            throw new IllegalArgumentException("no window size is tagged " + window);
        }
    }

    public static SiteKey of(DeviceWindow w) {
        return new SiteKey(
                w.domain(),
                w.site(),
                w.deviceType(),
                w.metric(),
                w.window().tag(),
                w.start().toEpochMilli());
    }

    public WindowSize size() {
        return WindowSize.fromTag(window);
    }

    /** The last millisecond of the window: its device windows carry this timestamp. */
    public long lastMillisecond() {
        return start + size().length().toMillis() - 1;
    }
}
