package io.twinstream.jobs.serde;

import java.io.IOException;

import io.twinstream.model.Reading;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.TypeSerializerSingleton;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * A {@link Reading} between operators, written field by field with no per-field null flags or
 * type tags: four strings, three longs, the metric count, then each metric's name and value.
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
        StringValue.writeString(reading.domain(), out);
        StringValue.writeString(reading.site(), out);
        StringValue.writeString(reading.deviceType(), out);
        StringValue.writeString(reading.deviceId(), out);
        out.writeLong(reading.ts());
        out.writeLong(reading.seq());
        out.writeLong(reading.ingestedAt());
        String[] names = reading.metricNames();
        double[] values = reading.metricValues();
        out.writeInt(names.length);
        for (int i = 0; i < names.length; i++) {
            StringValue.writeString(names[i], out);
            out.writeDouble(values[i]);
        }
    }

    @Override
    public Reading deserialize(DataInputView in) throws IOException {
        String domain = StringValue.readString(in);
        String site = StringValue.readString(in);
        String deviceType = StringValue.readString(in);
        String deviceId = StringValue.readString(in);
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
            names[i] = StringValue.readString(in);
            values[i] = in.readDouble();
        }
        return new Reading(domain, site, deviceType, deviceId, ts, seq, ingestedAt, names, values);
    }

    @Override
    public Reading deserialize(Reading reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        for (int i = 0; i < 4; i++) {
            StringValue.copyString(source, target);
        }
        target.write(source, 3 * Long.BYTES);
        int count = source.readInt();
        target.writeInt(count);
        for (int i = 0; i < count; i++) {
            StringValue.copyString(source, target);
            target.write(source, Double.BYTES);
        }
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
