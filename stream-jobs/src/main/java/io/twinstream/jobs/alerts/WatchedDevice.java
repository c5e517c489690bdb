package io.twinstream.jobs.alerts;

import io.twinstream.model.Reading;

/**
 * What the rule evaluator keeps per watched device besides its alerts: the device's dimensions
 * (a window closes on a timer, with no reading at hand to take them from) and the event time of
 * the newest reading evaluated, before which a reading can no longer be evaluated in order; when
 * its next open window ends. A Flink POJO.
 */
public final class WatchedDevice {

    public String domain;
    public String site;
    public String deviceType;
    /** Event time of the newest reading evaluated, or Long.MIN_VALUE. */
    public long lastEvaluated = Long.MIN_VALUE;
    /** The metric names of the device's readings, shared by its held readings; null until one is held. */
    public String[] metricNames;
    /**
     * The earliest last millisecond of the device's open windows, or Long.MAX_VALUE: closing needs no
     * look before it.
     */
    public long nextWindowEnd = Long.MAX_VALUE;

    static WatchedDevice of(Reading reading) {
        WatchedDevice device = new WatchedDevice();
        device.domain = reading.domain();
        device.site = reading.site();
        device.deviceType = reading.deviceType();
        return device;
    }
}
