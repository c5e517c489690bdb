package io.twinstream.jobs.time;

import io.twinstream.model.Reading;
import java.time.Duration;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.operators.ProcessingTimeService.ProcessingTimeCallback;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.metrics.TimerGauge;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.StateSnapshotContext;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.runtime.watermarkstatus.WatermarkStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The jobs' event-time clock, right behind the readings source: it passes the source's watermarks
 * on (bounded out-of-orderness per Kafka partition) and adds the two things a Flink source does not do.
 *
 * <ul>
 *   <li><b>It keeps the watermark across a restore.</b> Flink checkpoints no watermark: after a
 *       failure every operator starts at "no event time yet" and the source sends one only once each
 *       of its partitions has had a reading again. A reading far too late for its window that is
 *       replayed in that gap opens a fresh window holding only itself, which then overwrites the
 *       real window in InfluxDB. The clock checkpoints the watermark it sent (the lowest of its
 *       parallel instances: what the operators behind them had seen) and sends it again after the
 *       restore, so event time goes on even where a partition has nothing left to replay;
 *       {@link RestoredWatermark}, behind the shuffle, makes sure the windows have it before the
 *       first replayed reading.</li>
 *   <li><b>It moves event time on when the readings stop.</b> Flink's idleness only stops a quiet
 *       partition from holding the others back; when the whole fleet goes quiet (the end of a run, a
 *       night), nothing advances the
 *       watermark and the last windows never close. Once its task has <em>waited for input</em>
 *       for {@code idleAfter} since the last reading, the clock moves the watermark forward by the
 *       time waited since, never to the wall clock itself (replays and accelerated simulations carry
 *       event times far from now), so the last windows close at most out-of-orderness + idleAfter +
 *       window length after their end. Also after a restore with nothing new to read (its
 *       partitions then send no watermark at all). A reading that arrives after such an advance and
 *       is behind the watermark is late. A quiet partition among busy ones is the source's to let
 *       go ({@link io.twinstream.jobs.source.CaughtUpIdleSource}): the task never waits then.</li>
 *   <li><b>A slow pipeline is not a quiet fleet.</b> Time counts only while the task waits for
 *       input ({@link InputWaitClock}), never while it is backpressured: a source held back by slow
 *       windows or a stalled InfluxDB has a backlog to read, and advancing event time by the wall
 *       time of the stall made that backlog late (measured: 416 windows missing and 97,260 readings
 *       sent to {@code telemetry.late} at 40,000 readings/s). What the clock cannot tell apart from
 *       a quiet fleet is a source that gets nothing because Kafka is unreachable, or a bridge that
 *       is down: readings delayed longer than {@code idleAfter} there may arrive late.</li>
 * </ul>
 */
public final class EventTimeClock<T> extends AbstractStreamOperator<T>
        implements OneInputStreamOperator<T, T>, ProcessingTimeCallback {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(EventTimeClock.class);
    private static final long TICK_MILLIS = 200;

    private final long idleAfterMillis;
    private transient CheckpointedWatermark checkpointed;
    private transient long emitted;
    private transient boolean restoredNotYetSent;
    private transient boolean forwardedIdle;
    private transient InputWaitClock inputWait;
    private transient TimerGauge taskIdleTimer;
    /** {@link InputWaitClock#waitedMillis()} at the last reading. */
    private transient long waitedAtLastReading;
    /** {@link InputWaitClock#waitedMillis()} when the idle time was reached, or -1 before. */
    private transient long waitedWhenIdle;

    private transient long watermarkWhenIdle;

    public EventTimeClock(Duration idleAfter) {
        if (idleAfter.isNegative() || idleAfter.isZero()) {
            throw new IllegalArgumentException("idle time must be above zero, was " + idleAfter);
        }
        this.idleAfterMillis = idleAfter.toMillis();
    }

    /**
     * The readings source's strategy: event time from {@link Reading#ts()}, bounded out-of-orderness
     * per partition. Deliberately no {@code withIdleness}: when the job is backpressured, every
     * partition gets no reading for a while and is marked idle, and the first to deliver again sets
     * the watermark alone; reading a backlog, the others can be minutes of event time behind it, and
     * their readings then count as too late (measured: whole windows lost at 40,000 readings/s). A
     * quiet partition goes idle only once it is read to its end
     * ({@link io.twinstream.jobs.source.CaughtUpIdleSource}); the clock's own idle advance covers a
     * quiet fleet.
     */
    public static WatermarkStrategy<Reading> readingsStrategy(Duration outOfOrderness) {
        return WatermarkStrategy.<Reading>forBoundedOutOfOrderness(outOfOrderness)
                .withTimestampAssigner((reading, previous) -> reading.ts());
    }

    /** {@code source} with the clock behind it (uid {@code event-time-clock}). */
    public static <T> SingleOutputStreamOperator<T> behind(
            DataStream<T> source, TypeInformation<T> type, Duration idleAfter) {
        return source.transform("event-time clock", type, new EventTimeClock<T>(idleAfter))
                .uid("event-time-clock");
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        checkpointed = new CheckpointedWatermark(context);
        emitted = checkpointed.restored();
        restoredNotYetSent = emitted != Long.MIN_VALUE;
    }

    @Override
    public void snapshotState(StateSnapshotContext context) throws Exception {
        super.snapshotState(context);
        checkpointed.snapshot(emitted);
    }

    @Override
    public void open() throws Exception {
        super.open();
        inputWait = new InputWaitClock(this::now);
        taskIdleTimer = getContainingTask()
                .getEnvironment()
                .getMetricGroup()
                .getIOMetricGroup()
                .getIdleTimeMsPerSecond();
        taskIdleTimer.registerListener(inputWait);
        waitedAtLastReading = inputWait.waitedMillis();
        waitedWhenIdle = -1;
        getProcessingTimeService().registerTimer(now() + TICK_MILLIS, this);
    }

    @Override
    public void processElement(StreamRecord<T> element) {
        sendRestoredWatermark();
        if (forwardedIdle) {
            // A reading before the first watermark: this instance holds the operators behind the
            // shuffle back again from now, not from its first watermark. Flink lets a channel that
            // comes back from idle behind the others' watermark go unheeded until it catches up;
            // active at "no event time" before any watermark went out, it holds them all. (The
            // source holds a waking partition's watermark back a while, CaughtUpIdleReader, so
            // that every instance whose partitions received the same backlog gets here first.)
            forwardedIdle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
        waitedAtLastReading = inputWait.waitedMillis();
        if (waitedWhenIdle >= 0) {
            LOG.info(
                    "Subtask {}: a reading after the idle advance; event time had moved {} ms on from {}",
                    subtask(),
                    emitted - watermarkWhenIdle,
                    watermarkWhenIdle);
        }
        waitedWhenIdle = -1;
        output.collect(element);
    }

    @Override
    public void processWatermark(Watermark mark) {
        sendRestoredWatermark();
        advanceTo(mark.getTimestamp());
    }

    @Override
    public void processWatermarkStatus(WatermarkStatus status) {
        // Idle partitions: the clock advances by itself once it has a watermark, so it stays active
        // downstream; before that, an idle instance must not hold the others back.
        if (status.isIdle() && emitted == Long.MIN_VALUE && !forwardedIdle) {
            forwardedIdle = true;
            output.emitWatermarkStatus(WatermarkStatus.IDLE);
        }
    }

    @Override
    public void onProcessingTime(long time) {
        sendRestoredWatermark();
        long waited = inputWait.waitedMillis();
        if (emitted != Long.MIN_VALUE && emitted != Long.MAX_VALUE && waited - waitedAtLastReading >= idleAfterMillis) {
            if (waitedWhenIdle < 0) {
                // from the moment the idle time was reached, not from this tick: ticks may be late
                waitedWhenIdle = waitedAtLastReading + idleAfterMillis;
                watermarkWhenIdle = emitted;
                LOG.info(
                        "Subtask {}: no reading for {} ms of waiting for input: event time advances with the wait from {}",
                        subtask(),
                        idleAfterMillis,
                        emitted);
            }
            advanceTo(watermarkWhenIdle + (waited - waitedWhenIdle));
        }
        getProcessingTimeService().registerTimer(now() + TICK_MILLIS, this);
    }

    @Override
    public void close() throws Exception {
        if (taskIdleTimer != null) {
            taskIdleTimer.unregisterListener(inputWait);
        }
        super.close();
    }

    /** The watermark restored from the checkpoint, once, before any reading or newer watermark. */
    private void sendRestoredWatermark() {
        if (restoredNotYetSent) {
            restoredNotYetSent = false;
            output.emitWatermark(new Watermark(emitted));
        }
    }

    /** Sends {@code watermark} when it is ahead of the last one sent: watermarks never go back. */
    private void advanceTo(long watermark) {
        if (watermark <= emitted) {
            return;
        }
        if (forwardedIdle) {
            forwardedIdle = false;
            output.emitWatermarkStatus(WatermarkStatus.ACTIVE);
        }
        emitted = watermark;
        output.emitWatermark(new Watermark(watermark));
    }

    private int subtask() {
        return getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    }

    private long now() {
        return getProcessingTimeService().getCurrentProcessingTime();
    }
}
