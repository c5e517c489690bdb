package io.twinstream.jobs.source;

import java.io.Serializable;
import java.time.Duration;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.KafkaSourceEnumState;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.kafka.clients.CommonClientConfigs;

/**
 * Flink's Kafka source, whose partitions stop holding event time back once they are quiet and have
 * nothing left to read.
 *
 * <p>A source's watermark is the lowest of its partitions'. A partition with no readings (more
 * partitions than devices, or its devices silent) holds it where it was, or at "no event time" if it
 * never had one, and no window closes anywhere. Flink's {@code withIdleness} lets a partition go
 * after a quiet spell, but a partition is quiet also when the job cannot keep up: reading a backlog
 * on two busy cores here, every partition went idle in turn and the first to deliver again set the
 * watermark alone, ahead of the others' backlog (the end-to-end benchmark lost 746 windows). Here a
 * partition counts as idle only when it has had no record for {@code idleAfter} <em>and</em> Kafka,
 * asked after that, says it holds nothing beyond what the source has read: a partition with a
 * backlog is never idle, however long its records take. Its first record makes it active again,
 * and holds the subtask's watermark until its other idle partitions are known to be read (a
 * backlog landing on every partition at once is read as one: {@link CaughtUpIdleReader}).
 * Readings delayed upstream (a bridge that is down) for longer than {@code idleAfter} plus the
 * out-of-orderness may then be late, as with any idleness. A partition whose last records are
 * transaction markers never looks caught up (the jobs' readings are written without transactions).
 *
 * <p>The splits, their serializer and the enumerator are the Kafka source's own: checkpoints and
 * savepoints of a plain {@code KafkaSource} restore into this one and back.
 */
public final class CaughtUpIdleSource<T>
        implements Source<T, KafkaPartitionSplit, KafkaSourceEnumState>, ResultTypeQueryable<T> {

    private static final long serialVersionUID = 1L;

    /**
     * What to read and when a partition may count as idle.
     *
     * @param client    every Kafka client's properties (SASL, TLS; a {@code read_committed} isolation level)
     * @param idleAfter how long a partition must be without records before it may count as idle
     */
    public record Settings(
            String bootstrap,
            Properties client,
            String topic,
            String groupId,
            OffsetsInitializer startingOffsets,
            Duration idleAfter)
            implements Serializable {
        public Settings {
            if (idleAfter.isNegative() || idleAfter.isZero()) {
                throw new IllegalArgumentException("idle time must be above zero, was " + idleAfter);
            }
        }
    }

    private final KafkaSource<Polled<T>> kafka;
    private final TypeInformation<T> type;
    private final Settings settings;

    /** The topic in {@code settings}, each record made into what {@code records} makes of it. */
    public CaughtUpIdleSource(Settings settings, KafkaRecordDeserializationSchema<T> records) {
        this.settings = settings;
        this.type = records.getProducedType();
        this.kafka = KafkaSource.<Polled<T>>builder()
                .setBootstrapServers(settings.bootstrap())
                .setProperties(settings.client())
                .setTopics(settings.topic())
                .setGroupId(settings.groupId())
                .setStartingOffsets(settings.startingOffsets())
                .setDeserializer(new PositionedRecords<>(records))
                .build();
    }

    @Override
    public Boundedness getBoundedness() {
        return kafka.getBoundedness();
    }

    @Override
    public SourceReader<T, KafkaPartitionSplit> createReader(SourceReaderContext context) throws Exception {
        Properties client = new Properties();
        client.putAll(settings.client());
        client.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrap());
        client.put(
                CommonClientConfigs.CLIENT_ID_CONFIG,
                settings.groupId() + "-partition-ends-" + context.getIndexOfSubtask());
        return new CaughtUpIdleReader<>(
                kafka.createReader(context),
                client,
                settings.topic(),
                settings.groupId(),
                settings.idleAfter(),
                context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> createEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context) throws Exception {
        return kafka.createEnumerator(context);
    }

    @Override
    public SplitEnumerator<KafkaPartitionSplit, KafkaSourceEnumState> restoreEnumerator(
            SplitEnumeratorContext<KafkaPartitionSplit> context, KafkaSourceEnumState checkpoint) throws Exception {
        return kafka.restoreEnumerator(context, checkpoint);
    }

    @Override
    public SimpleVersionedSerializer<KafkaPartitionSplit> getSplitSerializer() {
        return kafka.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<KafkaSourceEnumState> getEnumeratorCheckpointSerializer() {
        return kafka.getEnumeratorCheckpointSerializer();
    }

    @Override
    public TypeInformation<T> getProducedType() {
        return type;
    }
}
