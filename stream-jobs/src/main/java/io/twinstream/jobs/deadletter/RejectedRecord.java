package io.twinstream.jobs.deadletter;

/**
 * A record a job will not process, on its way to the dead-letter topic: where it came from, its
 * bytes and why. The source's readings nobody could decode or that would poison event time
 * ({@link CheckedReadings}), points InfluxDB refused for good. A Flink POJO.
 *
 * @param source     where it was read from: a Kafka topic ({@code telemetry.readings}) or
 *                   {@code influxdb:<measurement>}
 * @param partition  its Kafka partition, -1 where there is none
 * @param offset     its Kafka offset, -1 where there is none
 * @param key        its key bytes (the device id), empty where there is none
 * @param value      its bytes as read (a point: its line protocol), cut to {@link io.twinstream.model.DeadLetterHeaders#MAX_PAYLOAD_BYTES}
 * @param valueBytes the whole value's size in bytes
 * @param reason     a short code, as ingest's: {@code undecodable}, {@code timestamp-in-future},
 *                   {@code timestamp-out-of-range}, {@code refused-by-influxdb}
 * @param detail     what exactly was wrong, in words
 * @param rejectedAt when the job refused it, epoch ms
 */
public record RejectedRecord(
        String source,
        int partition,
        long offset,
        byte[] key,
        byte[] value,
        int valueBytes,
        String reason,
        String detail,
        long rejectedAt) {}
