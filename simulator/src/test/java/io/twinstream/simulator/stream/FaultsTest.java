package io.twinstream.simulator.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each fault does what its name says, at about its declared rate, and never breaks a counter. */
class FaultsTest {

    private static List<double[]> readings(List<SimMessage> messages, SimMessage.Kind kind) {
        List<double[]> out = new ArrayList<>();
        for (SimMessage m : messages) {
            if (m.kind() == kind) {
                double[] r = Streams.parseJson(m.payload());
                out.add(new double[] {m.sendMillis(), r[0], r[1], r[2]});
            }
        }
        return out;
    }

    @Test
    void shouldSendOnTimeAReadingWhoseLateSendWouldComeAfterTheEnd() {
        // Every reading drawn late, 5 min late, in a 10 min stream: only the first 5 min can be late.
        DeviceFleet fleet = Streams.fleet("noise", 1, "10s", "json", "10m", "faults: { late: 1.0, lateDelay: 5m }");
        long start = fleet.scenario().start().toEpochMilli();
        long end = start + fleet.scenario().duration().toMillis();
        List<long[]> readings = new ArrayList<>(); // ts, late, delay
        Streams.all(
                fleet, (device, seq, ts, values, late, delay) -> readings.add(new long[] {ts, late ? 1 : 0, delay}));

        assertThat(readings).hasSize(60);
        for (long[] r : readings) {
            boolean lateSendBeforeEnd = r[0] + 300_000 < end;
            assertThat(r[1] == 1).as("reading at +%d s", (r[0] - start) / 1000).isEqualTo(lateSendBeforeEnd);
            assertThat(r[2]).isEqualTo(lateSendBeforeEnd ? 300_000 : 0);
        }
    }

    @Test
    void shouldRepeatTheSameValuesWhileASensorIsStuck() {
        DeviceFleet fleet = Streams.fleet("noise", 1, "10s", "json", "6h", "faults: { stuck: 2 }");
        List<double[]> r = readings(Streams.all(fleet, StreamObserver.NONE), SimMessage.Kind.READINGS);

        int longestRun = 1;
        int run = 1;
        for (int i = 1; i < r.size(); i++) {
            run = r.get(i)[3] == r.get(i - 1)[3] ? run + 1 : 1;
            longestRun = Math.max(longestRun, run);
        }
        assertThat(longestRun)
                .as("a stuck episode lasts 5-30 min: 30+ identical readings")
                .isGreaterThanOrEqualTo(30);
    }

    @Test
    void shouldKeepCountersIncreasingThroughStuckDriftAndSpikes() {
        DeviceFleet fleet =
                Streams.fleet("electricity-meter", 3, "1m", "json", "2d", "faults: { stuck: 1, drift: 1, spike: 0.2 }");
        Map<String, Double> last = new HashMap<>();
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            double energy = Streams.parseJson(m.payload())[2];
            Double before = last.put(m.topic(), energy);
            if (before != null) {
                assertThat(energy).as(m.topic()).isGreaterThanOrEqualTo(before);
            }
        }
    }

    @Test
    void shouldSpikeAGaugeFarAboveItsUsualRange() {
        DeviceFleet clean = Streams.fleet("noise", 2, "10s", "json", "2h", "");
        DeviceFleet spiky = Streams.fleet("noise", 2, "10s", "json", "2h", "faults: { spike: 0.05 }");
        double cleanMax = readings(Streams.all(clean, StreamObserver.NONE), SimMessage.Kind.READINGS).stream()
                .mapToDouble(r -> r[3])
                .max()
                .orElseThrow();
        long spikes = readings(Streams.all(spiky, StreamObserver.NONE), SimMessage.Kind.READINGS).stream()
                .filter(r -> r[3] > cleanMax * 2)
                .count();

        assertThat(spikes).as("about 5 %% of 1440 readings").isBetween(30L, 120L);
    }

    @Test
    void shouldDriftAwayFromTheCleanSignal() {
        DeviceFleet fleet = Streams.fleet("weather", 1, "1m", "json", "1d", "faults: { drift: 3 }");
        List<double[]> r = readings(Streams.all(fleet, StreamObserver.NONE), SimMessage.Kind.READINGS);
        double maxStep = 0;
        for (int i = 1; i < r.size(); i++) {
            maxStep = Math.max(maxStep, Math.abs(r.get(i)[3] - r.get(i - 1)[3]));
        }
        // Drift adds a growing offset, not jumps: readings stay continuous.
        assertThat(maxStep).isLessThan(5);
        assertThat(r).isNotEmpty();
    }

    @Test
    void shouldSendDuplicatesWithTheSameBytesAndSeq() {
        DeviceFleet fleet = Streams.fleet("air-quality", 5, "10s", "json", "1h", "faults: { duplicate: 0.1 }");
        int[] observed = new int[1];
        List<SimMessage> messages = Streams.all(fleet, new StreamObserver() {
            @Override
            public void reading(int device, long seq, long ts, double[] values, boolean late, long delayMillis) {}

            @Override
            public void duplicate(int device, long seq) {
                observed[0]++;
            }
        });
        Map<String, String> firstBySeq = new HashMap<>();
        int duplicates = 0;
        for (SimMessage m : messages) {
            String key = m.topic() + "#" + (long) Streams.parseJson(m.payload())[1];
            String payload = new String(m.payload(), StandardCharsets.UTF_8);
            if (m.kind() == SimMessage.Kind.DUPLICATE) {
                duplicates++;
                assertThat(firstBySeq.get(key))
                        .as("original sent before its duplicate")
                        .isEqualTo(payload);
            } else {
                assertThat(firstBySeq.put(key, payload))
                        .as("one original per seq")
                        .isNull();
            }
        }
        assertThat(duplicates).isEqualTo(observed[0]).isBetween(100, 260); // 10 % of 1800
    }

    @Test
    void shouldDelayOutOfOrderReadingsWithinTheBoundAndLateOnesByTheLateDelay() {
        DeviceFleet fleet = Streams.fleet(
                "air-quality",
                3,
                "5s",
                "json",
                "1h",
                "faults: { outOfOrder: 0.1, late: 0.02, outOfOrderMaxDelay: 20s, lateDelay: 5m }");
        int lateCount = 0;
        int reordered = 0;
        long lastSend = Long.MIN_VALUE;
        Map<String, Long> maxSeq = new HashMap<>();
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            double[] r = Streams.parseJson(m.payload());
            long delay = m.sendMillis() - (long) r[0];
            assertThat(m.sendMillis()).as("stream is in send order").isGreaterThanOrEqualTo(lastSend);
            lastSend = m.sendMillis();
            assertThat(delay == 0 || delay == 300_000L || delay >= 1 && delay <= 20_000L)
                    .as("delay %d ms: none, out of order (<= 20 s) or late (5 min)", delay)
                    .isTrue();
            if (delay == 300_000L) {
                lateCount++;
            }
            Long previous = maxSeq.merge(m.topic(), (long) r[1], Math::max);
            if (previous > (long) r[1]) {
                reordered++;
            }
        }
        assertThat(lateCount).as("2 %% of 2160").isBetween(20, 80);
        assertThat(reordered)
                .as("out-of-order readings arrive after later seqs")
                .isGreaterThan(50);
    }

    @Test
    void shouldSendMalformedPayloadsThatAreNotReadings() {
        DeviceFleet fleet = Streams.fleet("noise", 4, "10s", "json", "1h", "faults: { malformed: 0.05 }");
        List<SimMessage> bad = Streams.all(fleet, StreamObserver.NONE).stream()
                .filter(m -> m.kind() == SimMessage.Kind.MALFORMED)
                .toList();

        assertThat(bad).hasSizeBetween(30, 120);
        assertThat(bad).allSatisfy(m -> {
            String text = new String(m.payload(), StandardCharsets.UTF_8);
            assertThat(text.matches(
                            "\\{\"ts\":\\d+,\"seq\":\\d+,\"metrics\":\\{\"[a-z0-9_]+\":-?\\d+(\\.\\d+)?(,.*)?}}"))
                    .as("valid reading? %s", text)
                    .isFalse();
        });
        assertThat(bad.stream().map(m -> m.payload().length == 0).distinct()).contains(true, false);
    }

    @Test
    void shouldGoOfflineWithALastWillAndComeBackOnline() {
        DeviceFleet fleet = Streams.fleet("parking", 2, "10s", "json", "12h", "faults: { offline: 1 }");
        List<SimMessage> messages = Streams.all(fleet, StreamObserver.NONE);
        Map<String, Boolean> offline = new HashMap<>();
        int wills = 0;
        for (SimMessage m : messages) {
            if (m.kind() == SimMessage.Kind.LAST_WILL) {
                wills++;
                assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("offline");
                assertThat(m.retained()).isTrue();
                offline.put(m.topic().split("/")[1], true);
            } else if (m.kind() == SimMessage.Kind.STATUS) {
                assertThat(new String(m.payload(), StandardCharsets.UTF_8)).isEqualTo("online");
                offline.put(m.topic().split("/")[1], false);
            } else if (m.kind() == SimMessage.Kind.READINGS && Streams.parseJson(m.payload())[0] <= m.sendMillis()) {
                String id = m.topic().substring(m.topic().lastIndexOf('/') + 1);
                assertThat(offline.getOrDefault(id, false))
                        .as("%s sends nothing new while offline", id)
                        .isFalse();
            }
        }
        assertThat(wills).as("about once an hour per device").isBetween(10, 40);
    }

    @Test
    void shouldFallSilentDuringADropoutWithoutAStatusChange() {
        DeviceFleet fleet = Streams.fleet("noise", 1, "10s", "json", "12h", "faults: { dropout: 1 }");
        List<SimMessage> messages = Streams.all(fleet, StreamObserver.NONE);
        long longestGap = 0;
        for (int i = 1; i < messages.size(); i++) {
            longestGap = Math.max(
                    longestGap,
                    messages.get(i).sendMillis() - messages.get(i - 1).sendMillis());
        }
        assertThat(messages)
                .noneMatch(m -> m.kind() == SimMessage.Kind.LAST_WILL || m.kind() == SimMessage.Kind.STATUS);
        assertThat(longestGap).as("a dropout lasts 1-10 min").isGreaterThan(60_000);
    }

    @Test
    void shouldSkewEachDevicesClockByAConstantWithinTheBound() {
        DeviceFleet fleet = Streams.fleet("noise", 20, "10s", "json", "10m", "faults: { clockSkew: 2s }");
        Map<String, Long> skewByDevice = new HashMap<>();
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            long skew = (long) Streams.parseJson(m.payload())[0] - m.sendMillis();
            Long first = skewByDevice.putIfAbsent(m.topic(), skew);
            assertThat(skew).isBetween(-2_000L, 2_000L).isEqualTo(first == null ? skew : first);
        }
        assertThat(skewByDevice.values().stream().distinct().count()).isGreaterThan(10);
    }

    @Test
    void shouldStampNoReadingAtOrAfterTheEndEvenWithAFastClock() {
        // Every 10 s from :00, clocks up to 9 s fast: the last sample of each device (at 9:50) would
        // be stamped up to 9:59 without the rule, and a sample due at 10:00 never comes.
        DeviceFleet fleet = Streams.fleet("noise", 30, "10s", "json", "10m", "faults: { clockSkew: 9s }");
        long end = fleet.scenario().start().plusSeconds(600).toEpochMilli();
        Map<String, Long> lastStamp = new HashMap<>();
        for (SimMessage m : Streams.all(fleet, StreamObserver.NONE)) {
            lastStamp.merge(m.topic(), (long) Streams.parseJson(m.payload())[0], Math::max);
        }
        assertThat(lastStamp).hasSize(30);
        assertThat(lastStamp.values())
                .allSatisfy(ts -> assertThat(ts).isLessThan(end).isGreaterThanOrEqualTo(end - 19_000));
        assertThat(lastStamp.values().stream().filter(ts -> ts >= end - 10_000))
                .as("fast clocks' last readings")
                .isNotEmpty();
    }
}
