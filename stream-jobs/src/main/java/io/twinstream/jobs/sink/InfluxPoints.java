package io.twinstream.jobs.sink;

import java.time.Instant;
import java.util.concurrent.TimeUnit;

import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
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
        return fields(series(DEVICE_MEASUREMENT, w.start(), w.domain(), w.site(), w.deviceType(), w.metric(), w.window())
                .tag("device_id", tagValue("device_id", w.deviceId())), w.values()).build();
    }

    public static Point of(SiteWindow w) {
        return fields(series(SITE_MEASUREMENT, w.start(), w.domain(), w.site(), w.deviceType(), w.metric(), w.window()),
                w.values()).addField("devices", (long) w.devices()).build();
    }

    /** The tags both measurements share, and the window start as the point's time. */
    private static Point.Builder series(String measurement, Instant start, String domain, String site, String deviceType,
                                        String metric, WindowSize window) {
        return Point.measurement(measurement)
                .time(start.toEpochMilli(), TimeUnit.MILLISECONDS)
                .tag("domain", tagValue("domain", domain))
                .tag("site", tagValue("site", site))
                .tag("device_type", tagValue("device_type", deviceType))
                .tag("metric", tagValue("metric", metric))
                .tag("window", window.tag());
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
