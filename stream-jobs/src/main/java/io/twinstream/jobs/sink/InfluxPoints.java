package io.twinstream.jobs.sink;

import java.util.concurrent.TimeUnit;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import org.influxdb.dto.Point;

/**
 * Window results as InfluxDB points, exactly the schema of ARCHITECTURE.md: measurement
 * {@code device_metrics} or {@code site_metrics}, timestamp = window start in milliseconds, the
 * identifying values as tags (so a rewritten window replaces its point) and count, sum, min, max,
 * mean (and devices) as fields. The client's {@link Point} escapes commas, spaces and '=' in tags;
 * a newline or carriage return cannot be carried by line protocol at all, escaped or not, and an
 * empty tag value is not stored, so both are refused here rather than written wrong.
 */
public final class InfluxPoints {

    public static final String DEVICE_MEASUREMENT = "device_metrics";
    public static final String SITE_MEASUREMENT = "site_metrics";

    private InfluxPoints() {
    }

    public static Point of(DeviceWindow w) {
        Point.Builder point = Point.measurement(DEVICE_MEASUREMENT)
                .time(w.start().toEpochMilli(), TimeUnit.MILLISECONDS)
                .tag("domain", tagValue("domain", w.domain()))
                .tag("site", tagValue("site", w.site()))
                .tag("device_type", tagValue("device_type", w.deviceType()))
                .tag("device_id", tagValue("device_id", w.deviceId()))
                .tag("metric", tagValue("metric", w.metric()))
                .tag("window", w.window().tag());
        return fields(point, w.values()).build();
    }

    public static Point of(SiteWindow w) {
        Point.Builder point = Point.measurement(SITE_MEASUREMENT)
                .time(w.start().toEpochMilli(), TimeUnit.MILLISECONDS)
                .tag("domain", tagValue("domain", w.domain()))
                .tag("site", tagValue("site", w.site()))
                .tag("device_type", tagValue("device_type", w.deviceType()))
                .tag("metric", tagValue("metric", w.metric()))
                .tag("window", w.window().tag());
        return fields(point, w.values()).addField("devices", (long) w.devices()).build();
    }

    private static Point.Builder fields(Point.Builder point, Aggregate values) {
        return point.addField("count", values.count())
                .addField("sum", values.sum())
                .addField("min", values.min())
                .addField("max", values.max())
                .addField("mean", values.mean());
    }

    private static String tagValue(String tag, String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("tag " + tag + " is empty: InfluxDB would store the point without it");
        }
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("tag " + tag + " holds a line break, which line protocol cannot carry: '"
                    + value.replace("\n", "\\n").replace("\r", "\\r") + "'");
        }
        return value;
    }
}
