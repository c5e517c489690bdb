package io.twinstream.jobs.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.twinstream.jobs.functions.RecentSequences;
import org.apache.flink.api.common.typeutils.SimpleTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** {@link DeviceStateSerializer}'s formats: a state round-trips in format 2, and format 1 savepoints still restore. */
class DeviceStateSerializerTest {

    private static DeviceState state() {
        DeviceState s = new DeviceState();
        s.recent = new RecentSequences();
        s.recent.highest = 9;
        s.newestTs = 12_345;
        s.lastActive = 7;
        s.forgetAt = 99;
        s.earlyAt = 3_000;
        DeviceState.OpenWindow w = new DeviceState.OpenWindow(WindowSize.TEN_SECONDS, 10_000);
        w.aggregate.domain = "city";
        w.aggregate.site = "north";
        w.aggregate.deviceType = "noise";
        w.aggregate.metrics = new String[] {"db"};
        w.aggregate.counts = new long[] {3};
        w.aggregate.sums = new double[] {150};
        w.aggregate.mins = new double[] {30};
        w.aggregate.maxs = new double[] {70};
        w.markSent();
        s.windows.add(w);
        return s;
    }

    private static byte[] write(TypeSerializer<DeviceState> serializer, DeviceState s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(s, out);
        return out.getCopyOfBuffer();
    }

    @Test
    void shouldRoundTripWhatWasSentEarly() throws Exception {
        DeviceState back = DeviceStateSerializer.INSTANCE.deserialize(
                new DataInputDeserializer(write(DeviceStateSerializer.INSTANCE, state())));

        assertThat(back.earlyAt).isEqualTo(3_000);
        assertThat(back.windows.get(0).sentCount(0)).isEqualTo(3);
        assertThat(back.windows.get(0).sentSum(0)).isEqualTo(150);
        assertThat(back.windows.get(0).changedSinceSent()).isFalse();
        assertThat(write(DeviceStateSerializer.INSTANCE, DeviceStateSerializer.INSTANCE.copy(state())))
                .isEqualTo(write(DeviceStateSerializer.INSTANCE, state()));
    }

    /** A savepoint of the job before early results: the snapshot Flink's simple snapshot wrote, and format 1 bytes. */
    @Test
    void shouldRestoreAFormat1SavepointAndMigrateIt() throws Exception {
        DataOutputSerializer snapshotOut = new DataOutputSerializer(64);
        // As TypeSerializerSnapshot.writeVersionedSnapshot wrote Flink's SimpleTypeSerializerSnapshot under
        // the class name DeviceStateSerializer$Snapshot: the name, its version 3, and no content.
        snapshotOut.writeUTF(DeviceStateSerializer.Snapshot.class.getName());
        snapshotOut.writeInt(new FormerSnapshot().getCurrentVersion());
        byte[] stateBytes = write(new DeviceStateSerializer(1), state());

        TypeSerializerSnapshot<DeviceState> restored = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshotOut.getCopyOfBuffer()),
                getClass().getClassLoader());
        TypeSerializerSchemaCompatibility<DeviceState> compatibility =
                DeviceStateSerializer.INSTANCE.snapshotConfiguration().resolveSchemaCompatibility(restored);
        DeviceState back = restored.restoreSerializer().deserialize(new DataInputDeserializer(stateBytes));

        assertThat(compatibility.isCompatibleAfterMigration()).isTrue();
        assertThat(back.forgetAt).isEqualTo(99);
        assertThat(back.earlyAt).as("not in format 1").isZero();
        assertThat(back.windows.get(0).aggregate.sums[0]).isEqualTo(150);
        assertThat(back.windows.get(0).sentCounts).isNull();
        assertThat(DeviceStateSerializer.INSTANCE
                        .snapshotConfiguration()
                        .resolveSchemaCompatibility(DeviceStateSerializer.INSTANCE.snapshotConfiguration())
                        .isCompatibleAsIs())
                .isTrue();
    }

    /** What the serializer's snapshot was in format 1: only for the version it wrote. */
    static final class FormerSnapshot extends SimpleTypeSerializerSnapshot<DeviceState> {
        FormerSnapshot() {
            super(() -> new DeviceStateSerializer(1));
        }
    }
}
