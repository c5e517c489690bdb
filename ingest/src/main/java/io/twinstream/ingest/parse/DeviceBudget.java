package io.twinstream.ingest.parse;

import io.twinstream.model.Reading;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How many distinct devices the bridge lets through ({@code ingest.max-devices}): each device id
 * is a series in InfluxDB per metric and window, state in both jobs and a line on the live page, so
 * a client inventing an id per message would grow all of them without bound. The first
 * {@code max} ids seen pass; a message bringing an id beyond them is refused as a whole
 * ({@code over-device-budget}), while known devices go on. Counted since the bridge started, per
 * bridge process. Not thread-safe: the bridge's one writer thread owns it.
 */
public final class DeviceBudget {

    private final int max;
    private final Set<String> seen = new HashSet<>();

    /** @param max at most this many devices; 0 for no budget */
    public DeviceBudget(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("the device budget must be 0 (none) or more, was " + max);
        }
        this.max = max;
    }

    /**
     * Admits the readings' devices, all or none.
     *
     * @throws PayloadRejectedException {@link RejectReason#OVER_DEVICE_BUDGET} naming the first device over it
     */
    public void admit(List<Reading> readings) throws PayloadRejectedException {
        if (max == 0) {
            return;
        }
        Set<String> fresh = null;
        for (Reading reading : readings) {
            String device = reading.deviceId();
            if (!seen.contains(device) && (fresh == null || !fresh.contains(device))) {
                if (fresh == null) {
                    fresh = new HashSet<>();
                }
                fresh.add(device);
                if (seen.size() + fresh.size() > max) {
                    throw new PayloadRejectedException(
                            RejectReason.OVER_DEVICE_BUDGET,
                            "device '" + device + "' would be one more than the " + max
                                    + " this bridge lets through (ingest.max-devices)");
                }
            }
        }
        if (fresh != null) {
            seen.addAll(fresh);
        }
    }

    /** Devices seen so far. */
    public int seen() {
        return seen.size();
    }
}
