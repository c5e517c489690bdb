package io.twinstream.jobs.sink;

import io.twinstream.jobs.alerts.AlertTransition;
import io.twinstream.jobs.metrics.Aggregate;
import io.twinstream.jobs.metrics.DeviceWindow;
import io.twinstream.jobs.metrics.SiteWindow;
import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.jobs.status.StatusTransition;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.influxdb.dto.Point;

/**
 * Results as InfluxDB points, exactly the schema of ARCHITECTURE.md: measurement
 * {@code device_metrics} or {@code site_metrics}, timestamp = window start in milliseconds, the
 * identifying values as tags (so a rewritten window replaces its point) and count, sum, min, max,
 * mean (and devices) as fields, and {@code final}: false for an early result of a window still open
 * (the same point, overwritten by the final value), true once it is closed. Device points carry it
 * only where an early result may come first ({@code metrics.early-device-windows}): InfluxDB's cost
 * grows with every field, and this one cost a fifth of the metrics job's throughput on two cores
 * (bench-metrics: 14,249 readings/s with it on every device point, 17,230 without); a point
 * without it is final. {@code alerts} and {@code device_status} at the transition's event
 * time (written again after a restart, a transition replaces itself). The client's {@link Point}
 * escapes commas, spaces and '=' in tags;
 * a newline or carriage return cannot be carried by line protocol at all, escaped or not, and an
 * empty tag value is not stored, so both are refused here rather than written wrong.
 */
public final class InfluxPoints {

    public static final String DEVICE_MEASUREMENT = "device_metrics";
    public static final String SITE_MEASUREMENT = "site_metrics";
    public static final String ALERTS_MEASUREMENT = "alerts";
    public static final String STATUS_MEASUREMENT = "device_status";

    private InfluxPoints() {}

    /** A device window, with the {@code final} field only if it is an early result. */
    public static Point of(DeviceWindow w) {
        return of(w, false);
    }

    /**
     * A device window; {@code markFinal}: with the {@code final} field on final values too, as they
     * must be where early results are written, to overwrite an early result's {@code final=false}.
     */
    public static Point of(DeviceWindow w, boolean markFinal) {
        Point.Builder point = fields(
                series(DEVICE_MEASUREMENT, w.start(), w.domain(), w.site(), w.deviceType(), w.metric(), w.window())
                        .tag("device_id", tagValue("device_id", w.deviceId())),
                w.values());
        if (markFinal || !w.isFinal()) {
            point.addField("final", w.isFinal());
        }
        return point.build();
    }

    public static Point of(SiteWindow w) {
        return fields(
                        series(
                                SITE_MEASUREMENT,
                                w.start(),
                                w.domain(),
                                w.site(),
                                w.deviceType(),
                                w.metric(),
                                w.window()),
                        w.values())
                .addField("devices", (long) w.devices())
                .addField("final", w.isFinal())
                .build();
    }

    /** An alert transition at its event time; raised and cleared are told apart by the {@code state} field. */
    public static Point of(AlertTransition t) {
        return Point.measurement(ALERTS_MEASUREMENT)
                .time(t.ts(), TimeUnit.MILLISECONDS)
                .tag("rule", tagValue("rule", t.rule()))
                .tag("severity", tagValue("severity", t.severity()))
                .tag(device(t.domain(), t.site(), t.deviceType(), t.deviceId()))
                .tag("metric", tagValue("metric", t.metric()))
                .addField("state", t.state().name().toLowerCase(Locale.ROOT))
                .addField("value", t.value())
                .addField("threshold", t.threshold())
                .addField("message", t.message())
                .build();
    }

    /** A device going online or offline at its event time, with when it was last seen. */
    public static Point of(StatusTransition t) {
        return Point.measurement(STATUS_MEASUREMENT)
                .time(t.ts(), TimeUnit.MILLISECONDS)
                .tag(device(t.domain(), t.site(), t.deviceType(), t.deviceId()))
                .addField("state", t.state().name().toLowerCase(Locale.ROOT))
                .addField("last_seen", t.lastSeen())
                .build();
    }

    private static Map<String, String> device(String domain, String site, String deviceType, String deviceId) {
        return Map.of(
                "domain",
                tagValue("domain", domain),
                "site",
                tagValue("site", site),
                "device_type",
                tagValue("device_type", deviceType),
                "device_id",
                tagValue("device_id", deviceId));
    }

    /** The tags both measurements share, and the window start as the point's time. */
    private static Point.Builder series(
            String measurement,
            Instant start,
            String domain,
            String site,
            String deviceType,
            String metric,
            WindowSize window) {
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
