package io.twinstream.jobs.source;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Kafka source's reader, with {@link CaughtUpIdleSource}'s idleness: it follows each assigned
 * partition's position (the offset after the last record it passed on), marks a partition's output
 * idle once the partition has been quiet for {@code idleAfter} and Kafka, asked after that, says
 * it ends at that position, and active again with its next record. All on the task's thread, except
 * the ticker and the answers, which only wake the task up.
 *
 * <p><b>Waking up.</b> A backlog can land on every partition at once after all of them went idle (a
 * replay, a bridge that was down, a fleet that starts after the job). The first partition to deliver
 * would then set the watermark alone and could run minutes of event time ahead of the others'
 * first records, which would then be late. So when an idle partition has a record again, the
 * reader holds its watermark where it was (an extra output of its own, active and without a
 * watermark, which the lowest-of-all cannot pass) until Kafka, asked after that record, has said
 * which of its other idle partitions hold unread records (those are made active, and hold event
 * time back themselves until they are read), and at least {@link #WAKE_HOLD_MILLIS} have passed.
 * The readings go on meanwhile: the other subtasks, whose partitions received the same backlog,
 * read their first records before this watermark goes out, and their event-time clocks
 * ({@link io.twinstream.jobs.time.EventTimeClock}) make them active downstream with those, at "no
 * event time", so the operators behind the shuffle wait for them too. A backlog whose partitions
 * fill more than the hold apart is new data to the ones that filled last, as with any idleness.
 * Kafka not answering holds the watermark for at most {@link #WAKE_HOLD_MAX_MILLIS}.
 *
 * <p>The readings' watermark generator must not send a watermark for a partition that has no new
 * record (it would make the partition active again): {@code ReadingsSource}'s sends one only when it rises.
 */
final class CaughtUpIdleReader<T> implements SourceReader<T, KafkaPartitionSplit> {

    private static final Logger LOG = LoggerFactory.getLogger(CaughtUpIdleReader.class);
    /** How often quiet partitions are looked at when nothing else wakes the task. */
    private static final long TICK_MILLIS = 500;
    /** How old Kafka's answer may be for a partition that was quiet but not caught up when last asked. */
    private static final long ASK_AGAIN_MILLIS = 2000;
    /** How long the watermark is held at least once an idle partition has a record again. */
    static final long WAKE_HOLD_MILLIS = 3000;
    /** How long it is held at most, when Kafka does not say where the other idle partitions end. */
    static final long WAKE_HOLD_MAX_MILLIS = 30_000;
    /** The id of the output that holds the watermark: no Kafka split is named like this. */
    private static final String WAKE_HOLD_OUTPUT = "twinstream-wake-hold";

    /** One assigned partition, as this reader follows it. */
    private static final class Partition {
        final String splitId;
        final int number;
        /** The offset of the next record to read, or -1 while unknown (the split starts at the group's offset). */
        long position;

        long lastRecordAt;
        boolean idle;
        boolean wasIdle;

        Partition(KafkaPartitionSplit split, long now) {
            this.splitId = split.splitId();
            this.number = split.getPartition();
            this.position = split.getStartingOffset() >= 0 ? split.getStartingOffset() : -1;
            this.lastRecordAt = now;
        }
    }

    private final SourceReader<Polled<T>, KafkaPartitionSplit> kafka;
    private final long idleAfterMillis;
    private final LongSupplier clock = () -> System.nanoTime() / 1_000_000;
    private final PartitionEnds ends;
    private final int subtask;
    private final Map<Integer, Partition> partitions = new HashMap<>();
    private final PositionFollowingOutput output = new PositionFollowingOutput();
    private final ScheduledExecutorService ticker;
    private volatile CompletableFuture<Void> wakeUp = new CompletableFuture<>();
    private volatile int idlePartitions;
    private long lastLook;
    private PartitionEnds.Snapshot lastAnswerLookedAt;
    /** When an idle partition had a record again and the watermark began to be held; -1 while not held. */
    private long holdingSince = -1;
    /** When an idle partition last had a record again: Kafka's answer must be newer for the hold to end. */
    private long lastWakeAt;

    private SourceOutput<T> wakeHold;

    CaughtUpIdleReader(
            SourceReader<Polled<T>, KafkaPartitionSplit> kafka,
            Properties client,
            String topic,
            String groupId,
            Duration idleAfter,
            SourceReaderContext context) {
        this.kafka = kafka;
        this.idleAfterMillis = idleAfter.toMillis();
        this.subtask = context.getIndexOfSubtask();
        this.ends = new PartitionEnds(client, topic, groupId, clock, this::wakeUp);
        this.ticker = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "idle-partitions-" + topic + "-" + subtask);
            thread.setDaemon(true);
            return thread;
        });
        context.metricGroup().gauge("idlePartitions", () -> idlePartitions);
    }

    @Override
    public void start() {
        kafka.start();
        ticker.scheduleWithFixedDelay(this::wakeUp, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public InputStatus pollNext(ReaderOutput<T> target) throws Exception {
        output.target = target;
        InputStatus status = kafka.pollNext(output);
        long now = clock.getAsLong();
        PartitionEnds.Snapshot answer = ends.latest();
        if (now - lastLook >= TICK_MILLIS || answer != lastAnswerLookedAt) {
            lastLook = now;
            lastAnswerLookedAt = answer;
            lookAtQuietPartitions(target, answer, now);
            if (holdingSince >= 0) {
                releaseTheHoldWhenDue(answer, now);
            }
        }
        return status;
    }

    @Override
    public CompletableFuture<Void> isAvailable() {
        CompletableFuture<Void> records = kafka.isAvailable();
        if (records.isDone()) {
            return records;
        }
        return CompletableFuture.anyOf(records, wakeUp).thenApply(ignored -> null);
    }

    private void wakeUp() {
        CompletableFuture<Void> waiting = wakeUp;
        wakeUp = new CompletableFuture<>();
        waiting.complete(null);
    }

    /**
     * Marks idle each partition quiet for {@code idleAfter} that Kafka, asked since, says is read to
     * its end; and active each idle one that Kafka says holds records beyond where it was read.
     */
    private void lookAtQuietPartitions(ReaderOutput<T> target, PartitionEnds.Snapshot answer, long now) {
        List<Integer> toAsk = new ArrayList<>();
        boolean startsUnknown = false;
        for (Partition partition : partitions.values()) {
            if (partition.idle) {
                // Ends only grow and an idle partition's position stays: any answer above it is news.
                Long end = answer == null ? null : answer.ends().get(partition.number);
                if (end != null && end > partition.position) {
                    markActive(target, partition, now, end);
                }
                continue;
            }
            long quietSince = partition.lastRecordAt + idleAfterMillis;
            if (now < quietSince) {
                continue;
            }
            if (answer == null || answer.askedAt() < quietSince) {
                toAsk.add(partition.number);
                startsUnknown |= partition.position < 0;
                continue;
            }
            long position = partition.position >= 0
                    ? partition.position
                    : answer.starts().getOrDefault(partition.number, -1L);
            Long end = answer.ends().get(partition.number);
            if (position >= 0 && end != null && position >= end) {
                markIdle(target, partition, position);
            } else if (answer.askedAt() < now - ASK_AGAIN_MILLIS) {
                toAsk.add(partition.number);
                startsUnknown |= partition.position < 0;
            }
        }
        if (!toAsk.isEmpty()) {
            ends.ask(toAsk, startsUnknown);
        }
    }

    private void markIdle(ReaderOutput<T> target, Partition partition, long position) {
        partition.idle = true;
        partition.position = position;
        idlePartitions++;
        target.createOutputForSplit(partition.splitId).markIdle();
        if (!partition.wasIdle) { // the first time only: a partition with a reading now and then goes back and forth
            LOG.info(
                    "Subtask {}: partition {} has had no record for {} ms and is read to its end (offset {}): "
                            + "it holds event time back no longer, until its next record",
                    subtask,
                    partition.splitId,
                    idleAfterMillis,
                    position);
        }
        partition.wasIdle = true;
    }

    /** An idle partition that Kafka says has unread records: it holds event time back again until it is read. */
    private void markActive(ReaderOutput<T> target, Partition partition, long now, long end) {
        partition.idle = false;
        idlePartitions--;
        partition.lastRecordAt = now; // idleAfter from now for its records to come
        target.createOutputForSplit(partition.splitId).markActive();
        LOG.debug(
                "Subtask {}: partition {} holds records from offset {} to {}: active again",
                subtask,
                partition.splitId,
                partition.position,
                end);
    }

    /**
     * Follows a partition's position with each record; makes an idle partition active before its
     * record goes out, holding the watermark until the other idle partitions are known to be read.
     */
    private void followed(Polled<T> record, SourceOutput<T> splitOutput) {
        Partition partition = partitions.get(record.partition());
        if (partition == null) {
            return;
        }
        partition.position = record.offset() + 1;
        long now = clock.getAsLong();
        partition.lastRecordAt = now;
        if (partition.idle) {
            partition.idle = false;
            idlePartitions--;
            holdTheWatermark(now);
            splitOutput.markActive();
            LOG.debug("Subtask {}: partition {} has records again", subtask, partition.splitId);
        }
    }

    /** Holds this reader's watermark where it is, and asks where its other idle partitions end. */
    private void holdTheWatermark(long now) {
        if (holdingSince < 0) {
            if (wakeHold == null) {
                wakeHold = output.target.createOutputForSplit(WAKE_HOLD_OUTPUT);
            }
            wakeHold.markActive(); // active without a watermark: the lowest of all stays where it was
            holdingSince = now;
            LOG.debug("Subtask {}: an idle partition has records again; the watermark is held", subtask);
        }
        lastWakeAt = now; // a wake while held needs an answer newer than itself, but does not hold longer
        List<Integer> idle = idlePartitionNumbers();
        if (!idle.isEmpty()) {
            ends.ask(idle, false);
        }
    }

    /** Lets the watermark go once Kafka has answered since the wake and the wake hold has passed. */
    private void releaseTheHoldWhenDue(PartitionEnds.Snapshot answer, long now) {
        List<Integer> idle = idlePartitionNumbers();
        boolean known = idle.isEmpty() || (answer != null && answer.askedAt() >= lastWakeAt);
        boolean overdue = now - holdingSince >= WAKE_HOLD_MAX_MILLIS;
        if (!known && !overdue) {
            ends.ask(idle, false); // the question out when the partition woke was asked before it
            return;
        }
        if (now - holdingSince < WAKE_HOLD_MILLIS) {
            return;
        }
        if (!known) {
            LOG.warn(
                    "Subtask {}: Kafka has not said in {} ms where partitions {} end; the watermark goes on without "
                            + "(records they hold may come late)",
                    subtask,
                    WAKE_HOLD_MAX_MILLIS,
                    idle);
        }
        holdingSince = -1;
        wakeHold.markIdle();
        LOG.debug("Subtask {}: the watermark is held no longer", subtask);
    }

    private List<Integer> idlePartitionNumbers() {
        List<Integer> idle = new ArrayList<>();
        partitions.values().forEach(p -> {
            if (p.idle) {
                idle.add(p.number);
            }
        });
        return idle;
    }

    @Override
    public List<KafkaPartitionSplit> snapshotState(long checkpointId) {
        return kafka.snapshotState(checkpointId);
    }

    @Override
    public void addSplits(List<KafkaPartitionSplit> splits) {
        long now = clock.getAsLong();
        splits.forEach(split -> partitions.put(split.getPartition(), new Partition(split, now)));
        kafka.addSplits(splits);
    }

    @Override
    public void notifyNoMoreSplits() {
        kafka.notifyNoMoreSplits();
    }

    @Override
    public void handleSourceEvents(SourceEvent event) {
        kafka.handleSourceEvents(event);
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) throws Exception {
        kafka.notifyCheckpointComplete(checkpointId);
    }

    @Override
    public void notifyCheckpointAborted(long checkpointId) throws Exception {
        kafka.notifyCheckpointAborted(checkpointId);
    }

    @Override
    public void pauseOrResumeSplits(Collection<String> toPause, Collection<String> toResume) {
        kafka.pauseOrResumeSplits(toPause, toResume);
    }

    @Override
    public void close() throws Exception {
        ticker.shutdownNow();
        try {
            ends.close();
        } finally {
            kafka.close();
        }
    }

    /**
     * What the Kafka reader writes to: each record unwrapped into the operator's output, its
     * partition's position followed. The Kafka reader asks for each partition's output once and
     * keeps it; so does this.
     */
    private final class PositionFollowingOutput implements ReaderOutput<Polled<T>> {
        ReaderOutput<T> target;
        private final Map<String, SourceOutput<Polled<T>>> splitOutputs = new HashMap<>();

        // The Kafka reader writes every record to its partition's output; these are for completeness.
        @Override
        public void collect(Polled<T> record) {
            followedOnMainOutput(record);
            target.collect(record.value());
        }

        @Override
        public void collect(Polled<T> record, long timestamp) {
            followedOnMainOutput(record);
            target.collect(record.value(), timestamp);
        }

        private void followedOnMainOutput(Polled<T> record) {
            Partition partition = partitions.get(record.partition());
            if (partition != null) {
                followed(record, target.createOutputForSplit(partition.splitId));
            }
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            target.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            target.markIdle();
        }

        @Override
        public void markActive() {
            target.markActive();
        }

        @Override
        public SourceOutput<Polled<T>> createOutputForSplit(String splitId) {
            return splitOutputs.computeIfAbsent(splitId, id -> new SplitOutput(target.createOutputForSplit(id)));
        }

        @Override
        public void releaseOutputForSplit(String splitId) {
            splitOutputs.remove(splitId);
            target.releaseOutputForSplit(splitId);
        }
    }

    /** One partition's output. */
    private final class SplitOutput implements SourceOutput<Polled<T>> {
        private final SourceOutput<T> split;

        SplitOutput(SourceOutput<T> split) {
            this.split = split;
        }

        @Override
        public void collect(Polled<T> record) {
            followed(record, split);
            split.collect(record.value());
        }

        @Override
        public void collect(Polled<T> record, long timestamp) {
            followed(record, split);
            split.collect(record.value(), timestamp);
        }

        @Override
        public void emitWatermark(Watermark watermark) {
            split.emitWatermark(watermark);
        }

        @Override
        public void markIdle() {
            split.markIdle();
        }

        @Override
        public void markActive() {
            split.markActive();
        }
    }
}
