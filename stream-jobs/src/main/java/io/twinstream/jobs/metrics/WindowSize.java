package io.twinstream.jobs.metrics;

import java.time.Duration;

/** The tumbling windows the metrics job computes, with the {@code window} tag value each is stored under. */
public enum WindowSize {
    TEN_SECONDS(Duration.ofSeconds(10), "10s"),
    ONE_MINUTE(Duration.ofMinutes(1), "1m");

    private final Duration length;
    private final String tag;

    WindowSize(Duration length, String tag) {
        this.length = length;
        this.tag = tag;
    }

    public Duration length() {
        return length;
    }

    /** The value of the {@code window} tag in InfluxDB. */
    public String tag() {
        return tag;
    }

    /** The size stored under {@code tag}, e.g. {@code 1m}; null if none. */
    public static WindowSize fromTag(String tag) {
        for (WindowSize size : values()) {
            if (size.tag.equals(tag)) {
                return size;
            }
        }
        return null;
    }

    /** Start of the window that holds {@code epochMillis} (windows are aligned to the epoch). */
    public long startOf(long epochMillis) {
        long size = length.toMillis();
        return Math.floorDiv(epochMillis, size) * size;
    }
}
