package io.twinstream.jobs.status;

import java.util.Arrays;

/**
 * What the presence tracker keeps per device: its dimensions, when it was last seen, the last few
 * gaps between its readings (its expected interval is their median), whether it is offline, and
 * the one event-time timer it has pending. A Flink POJO.
 */
public final class DevicePresence {

    /** How many recent gaps the interval is learned from: a median of five ignores one odd gap. */
    static final int GAPS = 5;

    public String domain;
    public String site;
    public String deviceType;
    public long lastSeen;
    public long[] gaps = new long[GAPS];
    public int gapCount;
    public boolean offline;
    /** Event time the device went offline, while it is. */
    public long offlineAt;
    /** The pending timer's time, or Long.MIN_VALUE for none. */
    public long timerAt = Long.MIN_VALUE;

    void recordGap(long gap) {
        gaps[gapCount % GAPS] = gap;
        gapCount++;
    }

    /** The median of the recent gaps, or {@code unknown} before the second reading. */
    long expectedInterval(long unknown) {
        int n = Math.min(gapCount, GAPS);
        if (n == 0) {
            return unknown;
        }
        long[] recent = Arrays.copyOf(gaps, n);
        Arrays.sort(recent);
        return recent[n / 2];
    }
}
