package io.twinstream.model;

/**
 * The contract of a record on {@code telemetry.deadletter}, whoever writes it (the ingest bridge,
 * either job): its value is the refused bytes, cut to {@link #MAX_PAYLOAD_BYTES}, and these headers
 * say where it came from and why.
 */
public final class DeadLetterHeaders {

    /** Where it was read: an MQTT topic, a Kafka topic, or {@code influxdb:<measurement>}. */
    public static final String SOURCE_TOPIC = "source-topic";
    /** A short reason code, e.g. {@code malformed-json}, {@code undecodable}. */
    public static final String REASON = "reason";
    /** What exactly was wrong, in words. */
    public static final String DETAIL = "reason-detail";
    /** When it was received (ingest) or refused (the jobs), epoch ms. */
    public static final String RECEIVED_AT = "received-at";
    /** The payload's size in bytes: larger than the record's value when that was cut. */
    public static final String PAYLOAD_BYTES = "payload-bytes";
    /** The Kafka partition and offset of a refused Kafka record. */
    public static final String SOURCE_PARTITION = "source-partition";

    public static final String SOURCE_OFFSET = "source-offset";
    /**
     * A dead letter keeps at most this much of its payload: enough to tell what it was, and far
     * below Kafka's default record limit (1 MiB), which refused a whole 1.6 MB payload for good.
     */
    public static final int MAX_PAYLOAD_BYTES = 64 * 1024;

    private DeadLetterHeaders() {}
}
