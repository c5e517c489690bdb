package io.twinstream.simulator.stream;

/**
 * One MQTT message of the simulated stream.
 *
 * @param sendMillis  simulated time at which it is published (event time plus any delay)
 * @param topic       MQTT topic
 * @param payload     exact bytes
 * @param retained    MQTT retain flag (device status)
 * @param connection  which simulated connection publishes it (a device or a gateway)
 * @param kind        what it carries
 * @param readings    readings inside (0 for status and malformed messages)
 */
public record SimMessage(
        long sendMillis, String topic, byte[] payload, boolean retained, int connection, Kind kind, int readings) {

    public enum Kind {
        /** One or more readings, first transmission. */
        READINGS,
        /** A re-transmission of readings already sent (same seq): the pipeline must count them once. */
        DUPLICATE,
        /** Bytes ingest cannot accept: must land in the dead-letter topic. */
        MALFORMED,
        /** {@code online} on {@code devices/{id}/status}, published by the device or its gateway. */
        STATUS,
        /**
         * {@code offline} on {@code devices/{id}/status}: a device connection publishes nothing and
         * drops without DISCONNECT so the broker sends its Last Will; a gateway publishes it.
         */
        LAST_WILL
    }
}
