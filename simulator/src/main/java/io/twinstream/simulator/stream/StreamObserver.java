package io.twinstream.simulator.stream;

/**
 * What the generator tells the ground truth about the stream it writes, reading by reading.
 * The values are exactly those in the payloads (rounded as encoded).
 */
public interface StreamObserver {

    /**
     * A distinct reading (counted once, however often it is sent).
     *
     * @param ts     the timestamp as the device reports it (its clock skew included)
     * @param late   sent so late that the stream jobs must leave it out of their windows
     * @param delayMillis how much later than {@code ts} it is sent, beyond the device's clock skew
     */
    void reading(int device, long seq, long ts, double[] values, boolean late, long delayMillis);

    /** A re-transmission of an earlier reading (same device and seq). */
    default void duplicate(int device, long seq) {}

    /** A payload ingest must dead-letter. */
    default void malformed(int device) {}

    /** A device went offline ({@code online == false}, its Last Will) or came back. */
    default void status(int device, long ts, boolean online) {}

    /** A message left the generator (for totals). */
    default void message(SimMessage message) {}

    StreamObserver NONE = (device, seq, ts, values, late, delayMillis) -> {};
}
