package io.twinstream.jobs.alerts;

/**
 * What the rule evaluator keeps per watched device besides its alerts: the device's dimensions
 * (a window closes on a timer, with no reading at hand to take them from) and the event time of
 * the newest reading evaluated, before which a reading can no longer be evaluated in order. A Flink POJO.
 */
public final class WatchedDevice {

    public String domain;
    public String site;
    public String deviceType;
    /** Event time of the newest reading evaluated, or Long.MIN_VALUE. */
    public long lastEvaluated = Long.MIN_VALUE;
}
