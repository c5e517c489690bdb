package io.twinstream.jobs.functions;

import java.util.Arrays;

/**
 * Which of one device's newest {@link #WIDTH} sequence numbers have been seen: the highest seq, its
 * timestamp, and a bit per seq below it. About 550 bytes per device whatever its reporting rate,
 * where a set of seen seqs grows with every reading (100,000 devices at 1 Hz remembered for an hour
 * would be 360 million entries).
 *
 * <p>A redelivery (QoS 1, a bridge restart) repeats a reading that was in flight, so it is close
 * behind the newest: within the broker's in-flight window, far less than {@link #WIDTH} readings of
 * one device. What is further behind cannot be told from a new reading and passes as new. A device
 * that restarts its count (seq 1 again) is recognised by its timestamp: a lower seq with a newer
 * timestamp than the highest seen cannot be a redelivery, so the window starts over.
 *
 * <p>A Flink POJO (public fields, no-argument constructor), kept in keyed state per device.
 */
public final class RecentSequences {

    /** How many seqs below the highest are remembered. */
    public static final int WIDTH = 4096;

    /** The highest seq seen, or -1 before the first. */
    public long highest = -1;
    /** The timestamp of the reading with the highest seq. */
    public long highestTs;
    /** Bit {@code age} (= highest - seq) is set when that seq has been seen; {@code WIDTH} bits. */
    public long[] seen = new long[WIDTH / Long.SIZE];

    /**
     * Records the reading {@code seq} (taken at {@code ts}).
     *
     * @return false if it was seen before: a duplicate
     */
    public boolean firstTime(long seq, long ts) {
        if (highest < 0 || seq > highest) {
            advanceTo(seq, ts);
            return true;
        }
        long age = highest - seq;
        if (ts > highestTs) { // a lower seq, yet newer: the device started counting again
            Arrays.fill(seen, 0);
            highest = -1;
            advanceTo(seq, ts);
            return true;
        }
        if (age >= WIDTH) {
            return true; // too far behind to know; counted
        }
        int word = (int) (age >>> 6);
        long bit = 1L << (age & 63);
        if ((seen[word] & bit) != 0) {
            return false;
        }
        seen[word] |= bit;
        return true;
    }

    /** Makes {@code seq} the highest: every remembered seq ages by the difference. */
    private void advanceTo(long seq, long ts) {
        long shift = highest < 0 ? WIDTH : seq - highest;
        shiftUp(shift);
        highest = seq;
        highestTs = ts;
        seen[0] |= 1L;
    }

    private void shiftUp(long bits) {
        if (bits >= WIDTH) {
            Arrays.fill(seen, 0);
            return;
        }
        int words = (int) (bits >>> 6);
        int rest = (int) (bits & 63);
        for (int i = seen.length - 1; i >= 0; i--) {
            int from = i - words;
            long value = from >= 0 ? seen[from] << rest : 0;
            if (rest > 0 && from - 1 >= 0) {
                value |= seen[from - 1] >>> (64 - rest);
            }
            seen[i] = value;
        }
    }
}
