package io.twinstream.jobs.sink;

import io.twinstream.jobs.config.KafkaClientProperties;
import java.util.Properties;
import org.apache.flink.api.common.serialization.SerializationSchema;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;

/**
 * Every Kafka sink of the jobs, built one way: the job's own client settings ({@code kafka.client.*}:
 * a login, TLS), and the guarantee each output needs.
 */
public final class KafkaSinks {

    /** Longer than a checkpoint interval plus a restart; Kafka's broker refuses more than 15 min by default. */
    static final String TRANSACTION_TIMEOUT_MS = "600000";

    private KafkaSinks() {}

    /**
     * At least once: after a restore, what was written since the last checkpoint is written again
     * (late samples, dead letters: their readers take a record twice).
     */
    public static <T> KafkaSink<T> atLeastOnce(
            String bootstrap, KafkaClientProperties client, KafkaRecordSerializationSchema<T> records) {
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setKafkaProducerConfig(client.asProperties())
                .setDeliveryGuarantee(DeliveryGuarantee.AT_LEAST_ONCE)
                .setRecordSerializer(records)
                .build();
    }

    /**
     * Exactly once for {@code read_committed} consumers: written in Kafka transactions, committed with
     * each checkpoint, so a restore neither repeats nor loses a record. {@code transactionalIdPrefix}
     * must stay the same across versions of the job, so a restored job can end the transactions the
     * old one left open.
     */
    public static <T> KafkaSink<T> exactlyOnce(
            String bootstrap,
            KafkaClientProperties client,
            String transactionalIdPrefix,
            KafkaRecordSerializationSchema<T> records) {
        Properties transactions = client.asProperties();
        transactions.setProperty("transaction.timeout.ms", TRANSACTION_TIMEOUT_MS);
        return KafkaSink.<T>builder()
                .setBootstrapServers(bootstrap)
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(transactionalIdPrefix)
                .setKafkaProducerConfig(transactions)
                .setRecordSerializer(records)
                .build();
    }

    /** Records on {@code topic} with the key and the (JSON) value each schema writes. */
    public static <T> KafkaRecordSerializationSchema<T> keyed(
            String topic, SerializationSchema<T> key, SerializationSchema<T> value) {
        return KafkaRecordSerializationSchema.<T>builder()
                .setTopic(topic)
                .setKeySerializationSchema(key)
                .setValueSerializationSchema(value)
                .build();
    }
}
