package io.twinstream.simulator.publish;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters the publisher updates and the progress line reads; thread-safe. */
public final class PublishStats {

    final LongAdder messages = new LongAdder();
    final LongAdder readings = new LongAdder();
    final LongAdder bytes = new LongAdder();
    final LongAdder acknowledged = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder retried = new LongAdder();
    /** Acknowledged with "no matching subscribers" and published again (retry-unrouted). */
    final LongAdder unrouted = new LongAdder();

    final LongAdder reconnects = new LongAdder();
    final LongAdder heldAtEnd = new LongAdder();
    final AtomicLong connected = new AtomicLong();
    final AtomicLong simulatedMillis = new AtomicLong();

    public long messages() {
        return messages.sum();
    }

    public long readings() {
        return readings.sum();
    }

    public long bytes() {
        return bytes.sum();
    }

    public long acknowledged() {
        return acknowledged.sum();
    }

    public long errors() {
        return errors.sum();
    }

    /** QoS 1 messages published again after their connection dropped before the acknowledgement. */
    public long retried() {
        return retried.sum();
    }

    /** QoS 1 messages the broker acknowledged as "no matching subscribers" and that were published again. */
    public long unrouted() {
        return unrouted.sum();
    }

    public long reconnects() {
        return reconnects.sum();
    }

    /** Messages that devices offline (by a simulated fault) at the end of the run never sent. */
    public long heldAtEnd() {
        return heldAtEnd.sum();
    }

    public long connected() {
        return connected.get();
    }

    /** Simulated time of the last message handed to MQTT. */
    public long simulatedMillis() {
        return simulatedMillis.get();
    }
}
