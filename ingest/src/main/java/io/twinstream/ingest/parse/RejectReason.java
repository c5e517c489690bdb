package io.twinstream.ingest.parse;

/**
 * Why ingest refused a message; the code goes into the dead-letter record's {@code reason} header
 * and labels the dead-letter counter.
 */
public enum RejectReason {
    /** The topic is not {@code telemetry/{city|factory}/{site}/{deviceType}/{deviceId}}. */
    BAD_TOPIC("bad-topic"),
    /** Larger than the configured maximum payload size. */
    TOO_LARGE("too-large"),
    EMPTY("empty"),
    /** Not JSON, truncated JSON, NaN/Infinity literals, invalid UTF-8, duplicate keys. */
    MALFORMED_JSON("malformed-json"),
    /** A field of the wrong JSON type, e.g. {@code "ts":"yesterday"}. */
    WRONG_TYPE("wrong-type"),
    MISSING_FIELD("missing-field"),
    UNKNOWN_FIELD("unknown-field"),
    /** A value that is not a finite number (including numeric strings that are not numbers). */
    NOT_A_NUMBER("not-a-number"),
    /** A timestamp older than the configured bound (1970 ...). */
    TIMESTAMP_OUT_OF_RANGE("timestamp-out-of-range"),
    /**
     * A timestamp ahead of the bridge's clock by more than the configured bound: it would move event
     * time on for all.
     */
    TIMESTAMP_IN_FUTURE("timestamp-in-future"),
    /** A device id, device type or metric name with characters that cannot be an InfluxDB tag. */
    UNSAFE_NAME("unsafe-name"),
    /** A payload naming another device than its topic. */
    DEVICE_MISMATCH("device-mismatch"),
    NO_METRICS("no-metrics"),
    /** More metrics in one reading than the configured bound. */
    TOO_MANY_METRICS("too-many-metrics"),
    /** A value of larger magnitude than the configured bound (its sums would overflow). */
    VALUE_OUT_OF_RANGE("value-out-of-range"),
    /** A device new to the bridge when it has seen as many as its device budget allows. */
    OVER_DEVICE_BUDGET("over-device-budget");

    private final String code;

    RejectReason(String code) {
        this.code = code;
    }

    public String code() {
        return code;
    }
}
