package io.twinstream.jobs.metrics;

/** One value of one metric of one reading: how a reading too late for its window leaves the topology. */
public record MetricSample(
        String domain, String site, String deviceType, String deviceId, String metric, long ts, double value) {}
