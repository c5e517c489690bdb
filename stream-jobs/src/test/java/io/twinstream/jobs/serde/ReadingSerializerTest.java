package io.twinstream.jobs.serde;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.twinstream.model.Reading;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class ReadingSerializerTest {

    private static final Reading WITH_SEQ = new Reading(
            "factory",
            "plant-7",
            "machine-tool",
            "mt-000042",
            1_767_600_000_000L,
            123_456_789L,
            1_767_600_000_250L,
            new String[] {"spindle_rpm", "temp_c", "vibration"},
            new double[] {12_000.5, -3.25, 0.0});
    private static final Reading WITHOUT_SEQ = new Reading(
            "city", "Tverskoy Δ", "noise", "nz-äöü-1", -5L, Reading.NO_SEQ, 0L, new String[] {"db"}, new double[] {
                Double.MAX_VALUE
            });

    private final TypeSerializer<Reading> serializer =
            ReadingTypes.READING.createSerializer(new SerializerConfigImpl());

    @Test
    void shouldReadBackWhatItWrote() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(WITH_SEQ, out);
        serializer.serialize(WITHOUT_SEQ, out);

        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(serializer.deserialize(in)).isEqualTo(WITH_SEQ);
        assertThat(serializer.deserialize(WITH_SEQ, in)).isEqualTo(WITHOUT_SEQ);
        assertThat(in.available()).isZero();
    }

    @Test
    void shouldCopySerializedBytesExactly() throws IOException {
        DataOutputSerializer original = new DataOutputSerializer(64);
        serializer.serialize(WITH_SEQ, original);
        serializer.serialize(WITHOUT_SEQ, original);

        DataInputDeserializer in = new DataInputDeserializer(original.getCopyOfBuffer());
        DataOutputSerializer copied = new DataOutputSerializer(64);
        serializer.copy(in, copied);
        serializer.copy(in, copied);

        assertThat(copied.getCopyOfBuffer()).isEqualTo(original.getCopyOfBuffer());
    }

    /** The point of the serializer: a chained hop hands the same immutable reading on. */
    @Test
    void shouldNotCopyAnImmutableReading() {
        assertThat(serializer.isImmutableType()).isTrue();
        assertThat(serializer.copy(WITH_SEQ)).isSameAs(WITH_SEQ);
    }

    @Test
    void shouldFailClearlyOnACorruptMetricCount() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(WITH_SEQ, out);
        byte[] bytes = out.getCopyOfBuffer();
        // The count sits after four strings and three longs; find it by serializing a prefix.
        DataOutputSerializer prefix = new DataOutputSerializer(64);
        for (String s : new String[] {WITH_SEQ.domain(), WITH_SEQ.site(), WITH_SEQ.deviceType(), WITH_SEQ.deviceId()}) {
            ReadingSerializer.writeString(s, prefix);
        }
        int countAt = prefix.length() + 3 * Long.BYTES;
        bytes[countAt] = 0x7f;

        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("mt-000042")
                .hasMessageContaining("metrics");
    }

    /** The job graph carries the type information and serializer to every TaskManager; a checkpoint, the snapshot. */
    @Test
    void shouldTravelToAnotherJvmAndRestoreFromItsSnapshot() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(ReadingTypes.READING);
            out.writeObject(serializer);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            assertThat(in.readObject()).isEqualTo(ReadingTypes.READING);
            assertThat(in.readObject()).isEqualTo(serializer);
        }

        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<Reading> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(restored.restoreSerializer()).isEqualTo(serializer);
        assertThat(serializer
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(restored)
                        .isCompatibleAsIs())
                .isTrue();
    }
}
