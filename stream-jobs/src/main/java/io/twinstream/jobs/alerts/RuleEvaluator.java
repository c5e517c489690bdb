package io.twinstream.jobs.alerts;

import io.twinstream.jobs.metrics.WindowSize;
import io.twinstream.model.Reading;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the threshold rules on each device's values in event-time order, and emits alert
 * transitions: raised when a rule's condition has held for its {@code for} duration, cleared when
 * the clear condition has held for {@code clearFor}. Keyed by device id. A rule watches each
 * reading's value (raised at the reading that completes {@code for}) or a window aggregate (each
 * tumbling window of the device's readings, e.g. its 1 min mean, evaluated when the watermark
 * closes the window; the condition counts as holding from the window's start to its end, and the
 * transition carries the window's end as its time).
 *
 * <p>Order: readings are held in state until the watermark passes them and then evaluated in
 * timestamp order, so a reading that arrives out of order cannot raise or clear an alert on its
 * own. A reading that arrives behind the watermark but after the device's newest evaluated reading
 * is evaluated at once (it precedes everything still held). One older than that, or older than
 * the watermark minus the allowed lateness (the metrics job's definition of too late), can no longer be
 * evaluated in order: it is counted ({@code readingsTooLateForAlerts}) and left out, as the ground
 * truth leaves late readings out. A window rule sees only readings that arrive before its window closes.
 * Held readings keep only their time and values ({@link HeldReading}); one timer per device fires
 * at the oldest, and evaluates every held reading the watermark has passed.
 *
 * <p>The rules come as YAML text on the broadcast input and can be replaced while the job runs: a
 * text that does not parse is logged and ignored, the last good rule set stays. (Broadcast state
 * holds the text, not parsed rules: it is checkpointed as a string.) Alert state lives in keyed
 * state: after a restart from a checkpoint nothing is raised twice or lost. A rule's entry exists
 * only while its condition is pending or the alert is raised; a window's only while it is open.
 */
public final class RuleEvaluator extends KeyedBroadcastProcessFunction<String, Reading, String, AlertTransition> {

    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(RuleEvaluator.class);

    /** The broadcast state: the current rules file's text under {@link #CURRENT}. */
    public static final MapStateDescriptor<String, String> RULES =
            new MapStateDescriptor<>("rules", Types.STRING, Types.STRING);

    private static final String CURRENT = "current";

    private final RuleSet initialRules;
    private final long allowedLatenessMillis;
    private transient String parsedText;
    private transient RuleSet parsed;
    private transient ValueState<WatchedDevice> device;
    /** Readings the watermark has not passed yet, oldest first. */
    private transient ValueState<List<HeldReading>> waiting;

    private transient MapState<String, AlertState> alerts;
    /** Open windows by "{size tag}|{metric}". */
    private transient MapState<String, WindowAccumulator> windows;

    private transient Counter tooLate;

    /**
     * @param initialRules    the rules until a rule set arrives on the broadcast input
     * @param allowedLateness how far behind the watermark a reading may still be evaluated (if in order for its device)
     */
    public RuleEvaluator(RuleSet initialRules, Duration allowedLateness) {
        this.initialRules = initialRules;
        this.allowedLatenessMillis = allowedLateness.toMillis();
    }

    @Override
    public void open(OpenContext context) {
        device = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("device", TypeInformation.of(WatchedDevice.class)));
        waiting = getRuntimeContext()
                .getState(new ValueStateDescriptor<>("waiting", Types.LIST(TypeInformation.of(HeldReading.class))));
        alerts = getRuntimeContext()
                .getMapState(new MapStateDescriptor<>("alerts", Types.STRING, TypeInformation.of(AlertState.class)));
        windows = getRuntimeContext()
                .getMapState(
                        new MapStateDescriptor<>("windows", Types.STRING, TypeInformation.of(WindowAccumulator.class)));
        tooLate = getRuntimeContext().getMetricGroup().counter("readingsTooLateForAlerts");
    }

    @Override
    public void processElement(Reading reading, ReadOnlyContext context, Collector<AlertTransition> out)
            throws Exception {
        RuleSet rules = rules(context.getBroadcastState(RULES));
        if (!watched(reading, rules)) {
            return; // the common case: no rule looks at this device's metrics
        }
        long watermark = context.timerService().currentWatermark();
        WatchedDevice dims = device.value();
        if (dims != null && reading.ts() < dims.lastEvaluated
                || watermark != Long.MIN_VALUE && reading.ts() < watermark - allowedLatenessMillis) {
            tooLate.inc();
            return;
        }
        if (dims == null) {
            dims = WatchedDevice.of(reading);
        }
        if (reading.ts() <= watermark) {
            // Behind the watermark: every reading still held for this device is newer, every window
            // that ended before it has closed (its timer fired).
            evaluate(
                    reading.ts(),
                    reading.metricNames(),
                    reading.metricValues(),
                    reading.deviceId(),
                    dims,
                    rules,
                    watermark,
                    context.timerService(),
                    out);
        } else {
            hold(reading, dims, context.timerService());
        }
        device.update(dims);
    }

    /**
     * Keeps a reading until the watermark passes it, in timestamp order. One timer per device, at
     * the oldest held reading: when it fires, every reading the watermark has passed is evaluated.
     */
    private void hold(Reading reading, WatchedDevice dims, TimerService timers) throws Exception {
        List<HeldReading> held = waiting.value();
        if (held == null) {
            held = new ArrayList<>();
        }
        if (dims.metricNames == null) {
            dims.metricNames = reading.metricNames();
        }
        String[] names =
                Arrays.equals(dims.metricNames, reading.metricNames()) ? dims.metricNames : reading.metricNames();
        int at = held.size();
        while (at > 0 && held.get(at - 1).ts > reading.ts()) {
            at--; // readings mostly come in order: found at once
        }
        if (at == 0) {
            timers.registerEventTimeTimer(reading.ts()); // a new oldest (an earlier timer, if any, finds nothing due)
        }
        held.add(at, new HeldReading(reading.ts(), names, reading.metricValues()));
        waiting.update(held);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext context, Collector<AlertTransition> out) throws Exception {
        RuleSet rules = rules(context.getBroadcastState(RULES));
        long watermark = context.timerService().currentWatermark();
        WatchedDevice dims = device.value();
        if (dims == null) {
            return;
        }
        String deviceId = context.getCurrentKey();
        List<HeldReading> held = waiting.value();
        if (held != null) {
            int due = 0;
            while (due < held.size() && held.get(due).ts <= watermark) {
                HeldReading reading = held.get(due++);
                closeWindows(reading.ts - 1, dims, rules, deviceId, out); // windows before it first
                evaluate(
                        reading.ts,
                        reading.metricNames,
                        reading.metricValues,
                        deviceId,
                        dims,
                        rules,
                        reading.ts - 1,
                        context.timerService(),
                        out);
            }
            if (due == held.size()) {
                waiting.clear();
            } else if (due > 0) {
                List<HeldReading> rest = new ArrayList<>(held.subList(due, held.size()));
                waiting.update(rest);
                context.timerService().registerEventTimeTimer(rest.get(0).ts);
            }
        }
        closeWindows(watermark, dims, rules, deviceId, out);
        device.update(dims);
    }

    @Override
    public void processBroadcastElement(String rulesText, Context context, Collector<AlertTransition> out)
            throws Exception {
        RuleSet before = rules(context.getBroadcastState(RULES));
        RuleSet rules;
        try {
            rules = RulesParser.parse("telemetry.rules", rulesText);
        } catch (RuleException e) {
            LOG.error("rules refused, keeping {}: {}", before, e.getMessage());
            return;
        }
        BroadcastState<String, String> state = context.getBroadcastState(RULES);
        state.put(CURRENT, rulesText);
        parsedText = rulesText;
        parsed = rules;
        LOG.info("rules replaced: now {} (were {})", rules, before);
    }

    private RuleSet rules(ReadOnlyBroadcastState<String, String> state) throws Exception {
        String text = state.get(CURRENT);
        if (text == null) {
            return initialRules;
        }
        if (!text.equals(parsedText)) { // after a restore: parse once
            parsed = RulesParser.parse("telemetry.rules", text);
            parsedText = text;
        }
        return parsed;
    }

    private static boolean watched(Reading reading, RuleSet rules) {
        for (String metric : reading.metricNames()) {
            for (Rule rule : rules.forMetric(metric)) {
                if (applies(rule, reading.domain(), reading.site(), reading.deviceType(), reading.deviceId())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether a rule's match takes this device (the metric was looked up already). */
    private static boolean applies(Rule rule, String domain, String site, String deviceType, String deviceId) {
        return rule.match().matches(domain, site, deviceType, deviceId);
    }

    /**
     * One reading, in order for its device: raw rules now, window rules into the device's open
     * windows. {@code closedThrough}: windows whose last millisecond is at or before it have closed.
     */
    private void evaluate(
            long ts,
            String[] metricNames,
            double[] metricValues,
            String deviceId,
            WatchedDevice dims,
            RuleSet rules,
            long closedThrough,
            TimerService timers,
            Collector<AlertTransition> out)
            throws Exception {
        dims.lastEvaluated = Math.max(dims.lastEvaluated, ts);
        boolean[] windowed = new boolean[WindowSize.values().length];
        for (int i = 0; i < metricNames.length; i++) {
            String metric = metricNames[i];
            double value = metricValues[i];
            Arrays.fill(windowed, false);
            for (Rule rule : rules.forMetric(metric)) {
                if (!applies(rule, dims.domain, dims.site, dims.deviceType, deviceId)) {
                    continue;
                }
                if (rule.on().raw()) {
                    step(rule, dims, deviceId, metric, ts, ts, value, out);
                } else {
                    windowed[rule.on().window().ordinal()] = true;
                }
            }
            for (WindowSize size : WindowSize.values()) {
                if (windowed[size.ordinal()]) {
                    addToWindow(dims, size, metric, ts, value, closedThrough, timers);
                }
            }
        }
    }

    private void addToWindow(
            WatchedDevice dims,
            WindowSize size,
            String metric,
            long ts,
            double value,
            long closedThrough,
            TimerService timers)
            throws Exception {
        long start = size.startOf(ts);
        long lastMillis = start + size.length().toMillis() - 1;
        if (lastMillis <= closedThrough) {
            return; // its window closed already: its value was judged without this reading
        }
        String key = size.tag() + "|" + metric;
        WindowAccumulator window = windows.get(key);
        if (window == null) {
            window = WindowAccumulator.startingAt(start);
            timers.registerEventTimeTimer(lastMillis); // closes it when the device has gone quiet
            dims.nextWindowEnd = Math.min(dims.nextWindowEnd, lastMillis);
        }
        // window.start == start: readings come in order, and an older window closes before a newer one's first reading
        window.add(value);
        windows.put(key, window);
    }

    /** Judges and removes every open window whose last millisecond is {@code upTo} or before. */
    private void closeWindows(
            long upTo, WatchedDevice dims, RuleSet rules, String deviceId, Collector<AlertTransition> out)
            throws Exception {
        if (dims.nextWindowEnd > upTo) {
            return; // the common case, without looking at the windows
        }
        List<String> closed = new ArrayList<>(2);
        long next = Long.MAX_VALUE;
        for (Map.Entry<String, WindowAccumulator> entry : windows.entries()) {
            String key = entry.getKey();
            WindowAccumulator window = entry.getValue();
            WindowSize size = WindowSize.fromTag(key.substring(0, key.indexOf('|')));
            long end = window.start + size.length().toMillis();
            if (end - 1 > upTo) {
                next = Math.min(next, end - 1);
                continue;
            }
            closed.add(key);
            String metric = key.substring(key.indexOf('|') + 1);
            for (Rule rule : rules.forMetric(metric)) {
                if (!rule.on().raw()
                        && rule.on().window() == size
                        && applies(rule, dims.domain, dims.site, dims.deviceType, deviceId)) {
                    step(
                            rule,
                            dims,
                            deviceId,
                            metric,
                            window.start,
                            end,
                            window.get(rule.on().field()),
                            out);
                }
            }
        }
        for (String key : closed) {
            windows.remove(key);
        }
        dims.nextWindowEnd = next;
    }

    /**
     * One value through one rule's state machine: idle → breached → raised → clearing → idle. The
     * value stands for the event time from {@code since} to {@code at} (one instant for a reading,
     * its span for a window); a transition carries {@code at}.
     */
    private void step(
            Rule rule,
            WatchedDevice dims,
            String deviceId,
            String metric,
            long since,
            long at,
            double value,
            Collector<AlertTransition> out)
            throws Exception {
        AlertState state = alerts.get(rule.name());
        if (state == null) {
            state = new AlertState();
        }
        if (!state.raised) {
            if (!rule.condition().breached(value) || !rule.raisesAt(since)) {
                state.breachedSince = -1;
            } else {
                if (state.breachedSince < 0) {
                    state.breachedSince = since;
                }
                if (at - state.breachedSince >= rule.holdFor().toMillis()) {
                    state.raised = true;
                    state.breachedSince = -1;
                    out.collect(transition(
                            rule,
                            AlertTransition.State.RAISED,
                            dims,
                            deviceId,
                            metric,
                            at,
                            value,
                            rule.condition().threshold(value)));
                }
            }
        } else if (!rule.condition().cleared(value)) {
            state.clearingSince = -1;
        } else {
            if (state.clearingSince < 0) {
                state.clearingSince = since;
            }
            if (at - state.clearingSince >= rule.clearFor().toMillis()) {
                state.raised = false;
                state.clearingSince = -1;
                out.collect(transition(
                        rule,
                        AlertTransition.State.CLEARED,
                        dims,
                        deviceId,
                        metric,
                        at,
                        value,
                        rule.condition().clearThreshold(value)));
            }
        }
        if (state.idle()) {
            alerts.remove(rule.name());
        } else {
            alerts.put(rule.name(), state);
        }
    }

    private static AlertTransition transition(
            Rule rule,
            AlertTransition.State state,
            WatchedDevice dims,
            String deviceId,
            String metric,
            long ts,
            double value,
            double threshold) {
        return new AlertTransition(
                rule.name(),
                rule.severity(),
                state,
                dims.domain,
                dims.site,
                dims.deviceType,
                deviceId,
                metric,
                ts,
                value,
                threshold,
                rule.message(deviceId, dims.site, metric, value));
    }
}
