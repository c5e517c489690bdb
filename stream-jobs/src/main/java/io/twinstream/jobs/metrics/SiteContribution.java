package io.twinstream.jobs.metrics;

/**
 * What some devices add to one site window: the aggregate of their readings of the metric in the
 * window, and how many device windows are new to it. A device window's first emission contributes
 * its whole aggregate and one device; a late reading that corrects an emitted device window
 * contributes only its own value (and a device only if the metric is new to that device window):
 * a correction only ever adds readings, so count and sum add up and min and max combine.
 *
 * @param correction a late reading's contribution: passed on at once, not held for the watermark
 */
public record SiteContribution(SiteKey key, Aggregate values, int devices, boolean correction) {

    public SiteContribution plus(SiteContribution other) {
        return new SiteContribution(key, values.plus(other.values), devices + other.devices, correction && other.correction);
    }
}
