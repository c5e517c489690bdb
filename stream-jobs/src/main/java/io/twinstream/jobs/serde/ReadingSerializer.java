package io.twinstream.jobs.serde;

import io.twinstream.model.Reading;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * A {@link Reading} between operators, written field by field with no per-field null flags or
 * type tags: four strings (UTF-8, length first), three longs, the metric count, then each metric's
 * name and value.
 *
 * <p>Why not Flink's POJO serializer for the record: it writes a null marker per field and the
 * arrays through generic array serializers, and, above all, it copies a reading at every hop
 * between chained operators (a deep copy of both arrays, about five per reading in the metrics
 * job) because it cannot know the record is never modified. A reading is immutable by contract
 * (nothing writes into its arrays after it is made), so {@link #copy(Reading)} returns it as is.
 *
 * <p>Only between operators: no job keeps a {@code Reading} in state (the windows keep their
 * accumulators, the de-duplication its sequence windows, the alerts job {@code HeldReading}s),
 * so changing this format changes no savepoint. Still versioned through its snapshot.
 */
public final class ReadingSerializer extends TypeSerializerSingleton<Reading> {

    private static final long serialVersionUID = 1L;

    public static final ReadingSerializer INSTANCE = new ReadingSerializer();

    /** An upper bound on a reading's metrics, so a corrupt stream fails clearly instead of allocating gigabytes. */
    static final int MAX_METRICS = 1 << 16;

    /** Likewise for one string (a device id, a metric name): far above what ingest accepts. */
    static final int MAX_STRING_BYTES = 1 << 20;

    @Override
    public boolean isImmutableType() {
        return true;
    }

    @Override
    public Reading createInstance() {
        return null; // immutable: Flink never asks for an instance to fill
    }

    @Override
    public Reading copy(Reading from) {
        return from;
    }

    @Override
    public Reading copy(Reading from, Reading reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Reading reading, DataOutputView out) throws IOException {
        writeString(reading.domain(), out);
        writeString(reading.site(), out);
        writeString(reading.deviceType(), out);
        writeString(reading.deviceId(), out);
        out.writeLong(reading.ts());
        out.writeLong(reading.seq());
        out.writeLong(reading.ingestedAt());
        String[] names = reading.metricNames();
        double[] values = reading.metricValues();
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            writeString(names[i], out);
            out.writeDouble(values[i]);
        }
    }

    @Override
    public Reading deserialize(DataInputView in) throws IOException {
        String domain = readString(in);
        String site = readString(in);
        String deviceType = readString(in);
        String deviceId = readString(in);
        long ts = in.readLong();
        long seq = in.readLong();
        long ingestedAt = in.readLong();
        int count = in.readInt();
        if (count < 1 || count > MAX_METRICS) {
            throw new IOException("a serialized reading of " + deviceId + " claims " + count + " metrics");
        }
        String[] names = new String[count];
        double[] values = new double[count];
        for (int i = 0; i < count; i++) {
            names[i] = readString(in);
            values[i] = in.readDouble();
        }
        return new Reading(domain, site, deviceType, deviceId, ts, seq, ingestedAt, names, values);
    }

    @Override
    public Reading deserialize(Reading reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    /**
     * Through a reading: not {@code target.write(source, n)}, which a fixed-size
     * {@code DataOutputSerializer} refuses instead of growing; streaming jobs seldom copy serialized records.
     */
    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        serialize(deserialize(source), target);
    }

    /**
     * A string as its UTF-8 length and bytes. Not Flink's {@code StringValue.writeString}: its
     * reader builds the string a char at a time and looks up a thread-local buffer on every call
     * (11 % of the metrics job's CPU in a profile); the JDK's UTF-8 decoding is intrinsic.
     */
    public static void writeString(String s, DataOutputView out) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    public static String readString(DataInputView in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw new IOException("a serialized string claims " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Override
    public TypeSerializerSnapshot<Reading> snapshotConfiguration() {
        return new Snapshot();
    }

    /** Restores the serializer by name; the format's version is the snapshot's. */
    public static final class Snapshot extends SimpleTypeSerializerSnapshot<Reading> {
        public Snapshot() {
            super(() -> INSTANCE);
        }
    }
}
