package io.twinstream.jobs.metrics;

/**
 * What some devices add to one site window: the aggregate of their readings of the metric in the
 * window, and how many device windows are new to it. A device window's first emission contributes
 * its whole aggregate and one device; a late reading that corrects an emitted device window
 * contributes only its own value (and a device only if the metric is new to that device window):
 * a correction only ever adds readings, so count and sum add up and min and max combine.
 *
 * <p>An early contribution is what a device window still open gained since its previous early
 * contribution (count and sum of the readings since, min and max so far, a device the first time):
 * the site window's early result adds those up. They are kept apart from the whole aggregates
 * that make the final value, so early results never change a final one.
 *
 * @param correction a late reading's contribution: passed on at once, not held for the watermark
 * @param early      a share of an early result, not of the final value
 */
public record SiteContribution(SiteKey key, Aggregate values, int devices, boolean correction, boolean early) {

    /** A contribution to the final value. */
    public SiteContribution(SiteKey key, Aggregate values, int devices, boolean correction) {
        this(key, values, devices, correction, false);
    }

    public SiteContribution plus(SiteContribution other) {
        if (early != other.early) {
            throw new IllegalArgumentException("early and final contributions are added up apart");
        }
        return new SiteContribution(
                key, values.plus(other.values), devices + other.devices, correction && other.correction, early);
    }
}
