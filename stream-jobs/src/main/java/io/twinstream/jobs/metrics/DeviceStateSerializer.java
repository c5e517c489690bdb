package io.twinstream.jobs.metrics;

import io.twinstream.jobs.functions.RecentSequences;
import io.twinstream.jobs.functions.WindowAggregate;
import io.twinstream.jobs.serde.ReadingSerializer;
import java.io.IOException;
import java.util.ArrayList;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * {@link DeviceState} in checkpoints and savepoints, compactly: the de-duplication's bit window
 * only up to its last word in use (a device far below 4,096 readings an hour uses a few of its 64
 * words), the window size as its tag, and no per-field null flags. The checkpoint of a
 * 100,000-device fleet was mostly these bit windows written whole by the POJO serializer.
 *
 * <p>Format 1: recent (highest, highestTs, word count, words), newestTs, lastActive, forgetAt,
 * window count, then per window: tag, start, domain, site, deviceType (each a string or a null
 * marker), metric count, then per metric: name, count, sum, min, max.
 * Format 2 (early results) adds earlyAt after forgetAt, and per window after its metrics the
 * count of early-sent entries followed by each one's count and sum. The snapshot's version tells
 * the format ({@link Snapshot}): a savepoint in format 1 is read as such and written back in 2.
 */
public final class DeviceStateSerializer extends TypeSerializer<DeviceState> {

    private static final long serialVersionUID = 1L;

    public static final DeviceStateSerializer INSTANCE = new DeviceStateSerializer(2);

    /** Which format this instance reads and writes: 2, or 1 to restore an older savepoint. */
    private final int format;

    DeviceStateSerializer(int format) {
        this.format = format;
    }

    @Override
    public TypeSerializer<DeviceState> duplicate() {
        return this; // stateless
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DeviceStateSerializer that && that.format == format;
    }

    @Override
    public int hashCode() {
        return format;
    }

    /** Bounds that a corrupt checkpoint fails on, instead of allocating what its numbers claim. */
    private static final int MAX_WINDOWS = 1 << 16;

    private static final int MAX_METRICS = 1 << 16;

    @Override
    public boolean isImmutableType() {
        return false;
    }

    @Override
    public DeviceState createInstance() {
        return new DeviceState();
    }

    /**
     * A deep copy: the heap state backend copies an entry this way before the function changes it
     * while a checkpoint is being written (copy-on-write).
     */
    @Override
    public DeviceState copy(DeviceState from) {
        DeviceState to = new DeviceState();
        to.recent.highest = from.recent.highest;
        to.recent.highestTs = from.recent.highestTs;
        to.recent.seen = from.recent.seen.clone();
        to.newestTs = from.newestTs;
        to.lastActive = from.lastActive;
        to.forgetAt = from.forgetAt;
        to.earlyAt = from.earlyAt;
        to.windows = new ArrayList<>(from.windows.size());
        for (DeviceState.OpenWindow w : from.windows) {
            DeviceState.OpenWindow c = new DeviceState.OpenWindow(w.size, w.start);
            WindowAggregate.Accumulator a = w.aggregate;
            c.aggregate.domain = a.domain;
            c.aggregate.site = a.site;
            c.aggregate.deviceType = a.deviceType;
            c.aggregate.metrics = a.metrics.clone();
            c.aggregate.counts = a.counts.clone();
            c.aggregate.sums = a.sums.clone();
            c.aggregate.mins = a.mins.clone();
            c.aggregate.maxs = a.maxs.clone();
            c.sentCounts = w.sentCounts == null ? null : w.sentCounts.clone();
            c.sentSums = w.sentSums == null ? null : w.sentSums.clone();
            to.windows.add(c);
        }
        return to;
    }

    @Override
    public DeviceState copy(DeviceState from, DeviceState reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(DeviceState state, DataOutputView out) throws IOException {
        RecentSequences recent = state.recent;
        out.writeLong(recent.highest);
        out.writeLong(recent.highestTs);
        int words = recent.seen.length;
        while (words > 0 && recent.seen[words - 1] == 0) {
            words--;
        }
        out.writeShort(words);
        for (int i = 0; i < words; i++) {
            out.writeLong(recent.seen[i]);
        }
        out.writeLong(state.newestTs);
        out.writeLong(state.lastActive);
        out.writeLong(state.forgetAt);
        if (format >= 2) {
            out.writeLong(state.earlyAt);
        }
        out.writeInt(state.windows.size());
        for (DeviceState.OpenWindow w : state.windows) {
            ReadingSerializer.writeString(w.size.tag(), out);
            out.writeLong(w.start);
            WindowAggregate.Accumulator a = w.aggregate;
            writeNullable(a.domain, out);
            writeNullable(a.site, out);
            writeNullable(a.deviceType, out);
            out.writeInt(a.metrics.length);
            for (int i = 0; i < a.metrics.length; i++) {
                ReadingSerializer.writeString(a.metrics[i], out);
                out.writeLong(a.counts[i]);
                out.writeDouble(a.sums[i]);
                out.writeDouble(a.mins[i]);
                out.writeDouble(a.maxs[i]);
            }
            if (format >= 2) {
                int sent = w.sentCounts == null ? 0 : w.sentCounts.length;
                out.writeInt(sent);
                for (int i = 0; i < sent; i++) {
                    out.writeLong(w.sentCounts[i]);
                    out.writeDouble(w.sentSums[i]);
                }
            }
        }
    }

    @Override
    public DeviceState deserialize(DataInputView in) throws IOException {
        DeviceState state = new DeviceState();
        RecentSequences recent = state.recent;
        recent.highest = in.readLong();
        recent.highestTs = in.readLong();
        int words = in.readUnsignedShort();
        if (words > recent.seen.length) {
            throw new IOException(
                    "a device's de-duplication state claims " + words + " words; at most " + recent.seen.length);
        }
        for (int i = 0; i < words; i++) {
            recent.seen[i] = in.readLong();
        }
        state.newestTs = in.readLong();
        state.lastActive = in.readLong();
        state.forgetAt = in.readLong();
        if (format >= 2) {
            state.earlyAt = in.readLong();
        }
        int windows = in.readInt();
        check(windows, MAX_WINDOWS, "windows");
        state.windows = new ArrayList<>(windows);
        for (int w = 0; w < windows; w++) {
            String tag = ReadingSerializer.readString(in);
            WindowSize size = WindowSize.fromTag(tag);
            if (size == null) {
                throw new IOException("a device's state holds a window of unknown size '" + tag + "'");
            }
            DeviceState.OpenWindow window = new DeviceState.OpenWindow(size, in.readLong());
            WindowAggregate.Accumulator a = window.aggregate;
            a.domain = readNullable(in);
            a.site = readNullable(in);
            a.deviceType = readNullable(in);
            int metrics = in.readInt();
            check(metrics, MAX_METRICS, "metrics");
            a.metrics = new String[metrics];
            a.counts = new long[metrics];
            a.sums = new double[metrics];
            a.mins = new double[metrics];
            a.maxs = new double[metrics];
            for (int i = 0; i < metrics; i++) {
                a.metrics[i] = ReadingSerializer.readString(in);
                a.counts[i] = in.readLong();
                a.sums[i] = in.readDouble();
                a.mins[i] = in.readDouble();
                a.maxs[i] = in.readDouble();
            }
            if (format >= 2) {
                int sent = in.readInt();
                check(sent, metrics, "early-sent metrics");
                if (sent > 0) {
                    window.sentCounts = new long[sent];
                    window.sentSums = new double[sent];
                    for (int i = 0; i < sent; i++) {
                        window.sentCounts[i] = in.readLong();
                        window.sentSums[i] = in.readDouble();
                    }
                }
            }
            state.windows.add(window);
        }
        return state;
    }

    private static void check(int count, int max, String what) throws IOException {
        if (count < 0 || count > max) {
            throw new IOException("a device's state claims " + count + " " + what);
        }
    }

    private static void writeNullable(String s, DataOutputView out) throws IOException {
        out.writeBoolean(s != null);
        if (s != null) {
            ReadingSerializer.writeString(s, out);
        }
    }

    private static String readNullable(DataInputView in) throws IOException {
        return in.readBoolean() ? ReadingSerializer.readString(in) : null;
    }

    @Override
    public DeviceState deserialize(DeviceState reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    @Override
    public TypeSerializerSnapshot<DeviceState> snapshotConfiguration() {
        return new Snapshot(format);
    }

    /**
     * The format as the snapshot's version: up to 3 (what Flink's {@code SimpleTypeSerializerSnapshot},
     * used for format 1, wrote, with no content) is format 1; 4 is format 2. Nothing else is written.
     */
    public static final class Snapshot implements TypeSerializerSnapshot<DeviceState> {

        private static final int FORMAT_2 = 4;

        private int format;

        public Snapshot() {
            this(2); // Flink creates it so, then reads the version into it
        }

        Snapshot(int format) {
            this.format = format;
        }

        @Override
        public int getCurrentVersion() {
            return format >= 2 ? FORMAT_2 : 3;
        }

        @Override
        public void writeSnapshot(DataOutputView out) {}

        @Override
        public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
            format = readVersion >= FORMAT_2 ? 2 : 1;
        }

        @Override
        public TypeSerializer<DeviceState> restoreSerializer() {
            return format == INSTANCE.format ? INSTANCE : new DeviceStateSerializer(format);
        }

        @Override
        public TypeSerializerSchemaCompatibility<DeviceState> resolveSchemaCompatibility(
                TypeSerializerSnapshot<DeviceState> old) {
            if (!(old instanceof Snapshot previous)) {
                return TypeSerializerSchemaCompatibility.incompatible();
            }
            return previous.format == format
                    ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                    : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
        }
    }
}
