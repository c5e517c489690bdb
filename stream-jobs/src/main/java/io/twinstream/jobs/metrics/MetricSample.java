package io.twinstream.jobs.metrics;

/** One value of one metric of one reading: what the device windows aggregate. */
public record MetricSample(String domain, String site, String deviceType, String deviceId, String metric, long ts,
                           double value) {

    public DeviceMetricKey key() {
        return new DeviceMetricKey(domain, site, deviceType, deviceId, metric);
    }
}
