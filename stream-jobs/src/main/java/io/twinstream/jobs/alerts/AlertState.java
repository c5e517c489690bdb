package io.twinstream.jobs.alerts;

/**
 * Where one rule stands for one device: a Flink POJO kept in keyed state, present only while the
 * condition is pending or the alert is raised (dropped when it clears).
 */
public final class AlertState {

    /** Event time of the first reading of the current run that breached the condition, or -1. */
    public long breachedSince = -1;
    /** Whether the alert is raised. */
    public boolean raised;
    /** Event time of the first reading of the current run that met the clear condition, or -1. */
    public long clearingSince = -1;

    /** Nothing pending, nothing raised: the entry can go. */
    public boolean idle() {
        return !raised && breachedSince < 0;
    }
}
