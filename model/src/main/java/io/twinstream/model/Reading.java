package io.twinstream.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One device's measurements at one instant, normalized from whatever payload format carried them:
 * the record on {@code telemetry.readings} (key = {@link #deviceId()}).
 *
 * @param domain       {@code city} or {@code factory}, from the MQTT topic
 * @param site         district or plant, from the MQTT topic
 * @param deviceType   e.g. {@code air-quality}
 * @param deviceId     e.g. {@code aq-000123}
 * @param ts           the reading's time as the device reported it, epoch milliseconds (event time)
 * @param seq          the device's sequence number, or {@link #NO_SEQ} for formats without one (SenML):
 *                     the stream jobs then de-duplicate by (deviceId, ts)
 * @param ingestedAt   when ingest received the MQTT message, epoch milliseconds
 * @param metricNames  metric names, in payload order, unique
 * @param metricValues finite values, parallel to {@code metricNames}
 */
public record Reading(
        String domain,
        String site,
        String deviceType,
        String deviceId,
        long ts,
        long seq,
        long ingestedAt,
        String[] metricNames,
        double[] metricValues) {

    /** The seq of a reading whose format carries none. */
    public static final long NO_SEQ = -1;

    public Reading {
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(deviceType, "deviceType");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(metricNames, "metricNames");
        Objects.requireNonNull(metricValues, "metricValues");
        if (deviceId.isEmpty()) {
            throw new IllegalArgumentException("deviceId is empty");
        }
        if (metricNames.length == 0 || metricNames.length != metricValues.length) {
            throw new IllegalArgumentException("a reading needs at least one metric and one value per metric name, got "
                    + metricNames.length + " names and " + metricValues.length + " values");
        }
        if (seq < NO_SEQ) {
            throw new IllegalArgumentException("seq must be >= 0 (or NO_SEQ), was " + seq);
        }
        for (int i = 0; i < metricValues.length; i++) {
            if (!Double.isFinite(metricValues[i])) {
                throw new IllegalArgumentException(
                        "metric '" + metricNames[i] + "' is not a finite number: " + metricValues[i]);
            }
        }
    }

    public boolean hasSeq() {
        return seq != NO_SEQ;
    }

    public int metricCount() {
        return metricNames.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Reading r
                && ts == r.ts
                && seq == r.seq
                && ingestedAt == r.ingestedAt
                && domain.equals(r.domain)
                && site.equals(r.site)
                && deviceType.equals(r.deviceType)
                && deviceId.equals(r.deviceId)
                && Arrays.equals(metricNames, r.metricNames)
                && Arrays.equals(metricValues, r.metricValues);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, site, deviceType, deviceId, ts, seq, ingestedAt)
                + 31 * Arrays.hashCode(metricNames)
                + Arrays.hashCode(metricValues);
    }

    @Override
    public String toString() {
        StringBuilder metrics = new StringBuilder();
        for (int i = 0; i < metricNames.length; i++) {
            metrics.append(i == 0 ? "" : ", ")
                    .append(metricNames[i])
                    .append('=')
                    .append(metricValues[i]);
        }
        return "Reading[" + domain + "/" + site + "/" + deviceType + "/" + deviceId + " ts=" + ts
                + (hasSeq() ? " seq=" + seq : "") + " ingestedAt=" + ingestedAt + " {" + metrics + "}]";
    }
}
