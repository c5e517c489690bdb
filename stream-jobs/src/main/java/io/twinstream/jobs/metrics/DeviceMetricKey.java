package io.twinstream.jobs.metrics;

/** What a {@code device_metrics} series is per: one metric of one device (with where the device is). */
public record DeviceMetricKey(String domain, String site, String deviceType, String deviceId, String metric) {
}
