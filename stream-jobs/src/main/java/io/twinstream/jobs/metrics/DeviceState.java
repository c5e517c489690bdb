package io.twinstream.jobs.metrics;

import io.twinstream.jobs.functions.RecentSequences;
import io.twinstream.jobs.functions.WindowAggregate;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything the metrics job keeps about one device, in one keyed state entry: which of its recent
 * seqs were seen (de-duplication), its newest timestamp (far-late readings), and its open windows of
 * every size. One entry, so a reading costs one state lookup rather than one per operator and
 * window size (the profile's largest item before). Mutable; serialized by {@link DeviceStateSerializer}.
 */
public final class DeviceState {

    /** Seqs seen lately; its {@code highest} is -1 before the first reading with a seq. */
    public RecentSequences recent = new RecentSequences();
    /** The newest timestamp of the device's readings that reached the windows, or {@link Long#MIN_VALUE}. */
    public long newestTs = Long.MIN_VALUE;
    /** Processing time of the device's last new reading: what {@code memory} counts from. */
    public long lastActive;
    /** When the processing-time timer that forgets an idle device fires, or 0 when none is set. */
    public long forgetAt;
    /** When the processing-time timer that writes the open windows' early results fires, or 0 when none is set. */
    public long earlyAt;
    /** Open windows (fired or not, until their allowed lateness has passed), in no order. */
    public List<OpenWindow> windows = new ArrayList<>(4);

    /** One window of one size: its start and the aggregate per metric so far. */
    public static final class OpenWindow {
        public WindowSize size;
        public long start;
        public WindowAggregate.Accumulator aggregate = new WindowAggregate.Accumulator();
        /**
         * Per metric (by the aggregate's index), the count and sum already passed to the site windows
         * as early results; null before the first. What an early result adds to its site window is
         * what came since ({@link DeviceWindows}).
         */
        public long[] sentCounts;

        public double[] sentSums;

        public OpenWindow() {}

        public OpenWindow(WindowSize size, long start) {
            this.size = size;
            this.start = start;
        }

        /** The last millisecond in the window, Flink's {@code TimeWindow.maxTimestamp()}. */
        public long maxTimestamp() {
            return start + size.length().toMillis() - 1;
        }

        /** How many of metric {@code i}'s values were passed on as early results. */
        public long sentCount(int i) {
            return sentCounts == null || i >= sentCounts.length ? 0 : sentCounts[i];
        }

        public double sentSum(int i) {
            return sentSums == null || i >= sentSums.length ? 0 : sentSums[i];
        }

        /** Whether a metric has values not yet in an early result. */
        public boolean changedSinceSent() {
            for (int i = 0; i < aggregate.counts.length; i++) {
                if (aggregate.counts[i] != sentCount(i)) {
                    return true;
                }
            }
            return false;
        }

        /** Notes the aggregate as it is now as passed on. */
        public void markSent() {
            sentCounts = aggregate.counts.clone();
            sentSums = aggregate.sums.clone();
        }
    }

    /** The open window of {@code size} starting at {@code start}, or null. */
    public OpenWindow window(WindowSize size, long start) {
        for (int i = 0; i < windows.size(); i++) {
            OpenWindow w = windows.get(i);
            if (w.start == start && w.size == size) {
                return w;
            }
        }
        return null;
    }
}
