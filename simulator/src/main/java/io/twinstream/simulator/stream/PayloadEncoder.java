package io.twinstream.simulator.stream;

import io.twinstream.simulator.device.Metric;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The payload formats of ARCHITECTURE.md, written by hand so the bytes are exactly reproducible:
 * <ul>
 *   <li>JSON: {@code {"ts":1767571200000,"seq":17,"metrics":{"pm25":12.3,"no2":40.1}}}</li>
 *   <li>SenML (RFC 8428): {@code
 *   [{"bn":"urn:dev:id:aq-000001:","bt":1767571200.0,"n":"pm25","u":"ug/m3","v":12.3},{"n":"no2","u":"ug/m3","v":40.1}]}</li>
 *   <li>SenML draft: {@code {"bn":"aq-000001","bt":1767571200.0,"e":[{"n":"pm25","u":"ug/m3","v":"12.3"}]}}
 *       (values as strings, as older devices send them; ingest coerces them)</li>
 *   <li>gateway batch: a JSON array of JSON readings, each with {@code deviceId} and {@code deviceType}</li>
 * </ul>
 * Numbers use {@link Double#toString}'s shortest round-trip form, so a parser reads back exactly
 * the double the ground truth used.
 */
public final class PayloadEncoder {

    private final StringBuilder text = new StringBuilder(512);

    public byte[] json(long ts, long seq, List<Metric> metrics, double[] values) {
        text.setLength(0);
        appendJsonReading(null, null, ts, seq, metrics, values);
        return bytes();
    }

    public byte[] senml(String deviceId, long ts, List<Metric> metrics, double[] values) {
        text.setLength(0);
        text.append("[{\"bn\":\"urn:dev:id:").append(deviceId).append(":\",\"bt\":");
        appendSeconds(ts);
        for (int i = 0; i < metrics.size(); i++) {
            if (i > 0) {
                text.append(",{");
            }
            text.append(i == 0 ? "," : "")
                    .append("\"n\":\"")
                    .append(metrics.get(i).name())
                    .append("\",\"u\":\"")
                    .append(metrics.get(i).unit())
                    .append("\",\"v\":");
            appendNumber(values[i]);
            text.append('}');
        }
        text.append(']');
        return bytes();
    }

    public byte[] senmlDraft(String deviceId, long ts, List<Metric> metrics, double[] values) {
        text.setLength(0);
        text.append("{\"bn\":\"").append(deviceId).append("\",\"bt\":");
        appendSeconds(ts);
        text.append(",\"e\":[");
        for (int i = 0; i < metrics.size(); i++) {
            text.append(i > 0 ? ",{" : "{")
                    .append("\"n\":\"")
                    .append(metrics.get(i).name())
                    .append("\",\"u\":\"")
                    .append(metrics.get(i).unit())
                    .append("\",\"v\":\"");
            appendNumber(values[i]);
            text.append("\"}");
        }
        text.append("]}");
        return bytes();
    }

    /** Starts a gateway batch; add readings with {@link #batchReading}, finish with {@link #endBatch}. */
    public void beginBatch() {
        text.setLength(0);
        text.append('[');
    }

    public void batchReading(
            String deviceId, String deviceType, long ts, long seq, List<Metric> metrics, double[] values) {
        if (text.length() > 1) {
            text.append(',');
        }
        appendJsonReading(deviceId, deviceType, ts, seq, metrics, values);
    }

    public byte[] endBatch() {
        text.append(']');
        return bytes();
    }

    /**
     * Bytes ingest must reject, in six kinds chosen at random: truncated JSON, a string timestamp,
     * a NaN value, binary junk, an empty payload, a reading without metrics.
     */
    public byte[] malformed(long ts, long seq, SplittableRandom random) {
        return switch (random.nextInt(6)) {
            case 0 -> ("{\"ts\":" + ts + ",\"seq\":" + seq + ",\"metrics\":{\"val").getBytes(StandardCharsets.UTF_8);
            case 1 ->
                ("{\"ts\":\"yesterday\",\"seq\":" + seq + ",\"metrics\":{\"v\":1.0}}").getBytes(StandardCharsets.UTF_8);
            case 2 ->
                ("{\"ts\":" + ts + ",\"seq\":" + seq + ",\"metrics\":{\"v\":NaN}}").getBytes(StandardCharsets.UTF_8);
            case 3 -> {
                byte[] junk = new byte[16 + random.nextInt(48)];
                for (int i = 0; i < junk.length; i++) {
                    junk[i] = (byte) (0x80 | random.nextInt(128)); // never valid UTF-8 on its own
                }
                yield junk;
            }
            case 4 -> new byte[0];
            default -> ("{\"ts\":" + ts + ",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8);
        };
    }

    private void appendJsonReading(
            String deviceId, String deviceType, long ts, long seq, List<Metric> metrics, double[] values) {
        text.append('{');
        if (deviceId != null) {
            text.append("\"deviceId\":\"")
                    .append(deviceId)
                    .append("\",\"deviceType\":\"")
                    .append(deviceType)
                    .append("\",");
        }
        text.append("\"ts\":").append(ts).append(",\"seq\":").append(seq).append(",\"metrics\":{");
        for (int i = 0; i < metrics.size(); i++) {
            if (i > 0) {
                text.append(',');
            }
            text.append('"').append(metrics.get(i).name()).append("\":");
            appendNumber(values[i]);
        }
        text.append("}}");
    }

    private void appendSeconds(long epochMillis) {
        text.append(Math.floorDiv(epochMillis, 1000)).append('.');
        long millis = Math.floorMod(epochMillis, 1000);
        text.append((char) ('0' + millis / 100))
                .append((char) ('0' + millis / 10 % 10))
                .append((char) ('0' + millis % 10));
    }

    private void appendNumber(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            text.append((long) value); // 42 rather than 42.0: what devices send for whole numbers
        } else {
            text.append(value);
        }
    }

    private byte[] bytes() {
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
