package io.twinstream.pipeline.bench;

import io.twinstream.model.Reading;
import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * How far out of order {@code telemetry.readings} holds the readings, partition by partition, and
 * how much of that the bridge added. A watermark is never ahead of its partition's newest timestamp
 * minus out-of-orderness, so only readings further behind than that can be late; when they are many,
 * the jobs' windows depend on how fast the jobs read (the allowed lateness takes some back), and
 * that is the input's order, not an event-time fault of the jobs. {@link Reading#ingestedAt()} is
 * when the bridge received a reading: one written after a reading received later shows the bridge
 * reordering, whatever the devices did.
 *
 * @param readings       records read
 * @param behind         readings more than the bound behind the newest timestamp before them in their partition
 * @param mostBehindMillis the furthest a reading came behind its partition's newest timestamp
 * @param reorderedMillis  the furthest a reading's reception came behind the newest reception before it in its partition
 */
record ReadingsOrder(long readings, long behind, long mostBehindMillis, long reorderedMillis) {

    static ReadingsOrder read(String bootstrap, long expected, Duration bound) {
        Tally tally = new Tally(bound.toMillis());
        long readings = ReadingsTopic.forEach(bootstrap, expected, tally::add);
        return new ReadingsOrder(readings, tally.behind, tally.mostBehind, tally.reordered);
    }

    /** The counts so far, and per partition the newest timestamp and reception seen. */
    private static final class Tally {
        private final long boundMillis;
        private final Map<Integer, long[]> newest = new HashMap<>(); // per partition: newest ts, newest ingestedAt
        private long behind;
        private long mostBehind;
        private long reordered;

        Tally(long boundMillis) {
            this.boundMillis = boundMillis;
        }

        void add(int partition, Reading r) {
            long[] last = newest.get(partition);
            if (last == null) {
                newest.put(partition, new long[] {r.ts(), r.ingestedAt()});
                return;
            }
            if (r.ts() < last[0] - boundMillis) {
                behind++;
            }
            mostBehind = Math.max(mostBehind, last[0] - r.ts());
            reordered = Math.max(reordered, last[1] - r.ingestedAt());
            last[0] = Math.max(last[0], r.ts());
            last[1] = Math.max(last[1], r.ingestedAt());
        }
    }

    void print(PrintStream out, String mode, Duration bound) {
        out.printf(
                "%s: order in telemetry.readings: %,d of %,d readings more than %d s behind their partition's newest "
                        + "(at most %,d ms); written at most %,d ms out of the order the bridge received them%n",
                mode, behind, readings, bound.toSeconds(), mostBehindMillis, reorderedMillis);
    }
}
