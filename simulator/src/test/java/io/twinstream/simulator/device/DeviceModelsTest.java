package io.twinstream.simulator.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DeviceModelsTest {

    /** 2026-01-05 00:00 UTC, a Monday; the models run in UTC here. */
    private static final long MONDAY = 1_767_571_200_000L;

    private static final long MINUTE = 60_000L;

    static List<DeviceModel> models() {
        return DeviceCatalog.all();
    }

    /** One week of readings every minute: t, values. */
    private static List<double[]> week(DeviceModel model, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        double[] state = new double[model.stateSize()];
        model.init(state, random);
        List<double[]> rows = new ArrayList<>();
        for (long t = MONDAY; t < MONDAY + 7 * 24 * 60 * MINUTE; t += MINUTE) {
            double[] values = new double[model.metrics().size()];
            model.sample(
                    state,
                    new DeviceModel.Clock(t, Cycles.hourOfDay(t, 0), Cycles.dayOfWeek(t, 0)),
                    t == MONDAY ? 0 : 1.0 / 60,
                    random,
                    values);
            double[] row = new double[values.length + 1];
            row[0] = t;
            System.arraycopy(values, 0, row, 1, values.length);
            rows.add(row);
        }
        return rows;
    }

    private static double valueAt(List<double[]> week, int day, double hour, int metric) {
        return week.get((int) (day * 24 * 60 + hour * 60))[metric + 1];
    }

    private static double meanAt(List<double[]> week, int[] days, double hour, int metric) {
        double sum = 0;
        int n = 0;
        for (int day : days) {
            for (int m = -10; m <= 10; m++) {
                sum += week.get((int) (day * 24 * 60 + hour * 60) + m)[metric + 1];
                n++;
            }
        }
        return sum / n;
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldProduceFiniteValuesForEveryMetric(DeviceModel model) {
        assertThat(week(model, 1)).allSatisfy(row -> {
            for (double v : row) {
                assertThat(v).isFinite();
            }
        });
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldNeverDecreaseACounter(DeviceModel model) {
        List<double[]> rows = week(model, 2);
        for (int m = 0; m < model.metrics().size(); m++) {
            if (model.metrics().get(m).counter()) {
                for (int i = 1; i < rows.size(); i++) {
                    assertThat(rows.get(i)[m + 1])
                            .as(
                                    "%s %s at row %d",
                                    model.type(), model.metrics().get(m).name(), i)
                            .isGreaterThanOrEqualTo(rows.get(i - 1)[m + 1]);
                }
                assertThat(rows.get(rows.size() - 1)[m + 1]).isGreaterThan(rows.get(0)[m + 1]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("models")
    void shouldGiveEachDeviceItsOwnBaselineButTheSameValuesForTheSameSeed(DeviceModel model) {
        List<double[]> a = week(model, 3);
        List<double[]> b = week(model, 3);
        List<double[]> c = week(model, 4);

        for (int i = 0; i < a.size(); i++) {
            assertThat(java.util.Arrays.equals(a.get(i), b.get(i)))
                    .as("row %d", i)
                    .isTrue();
        }
        assertThat(java.util.Arrays.equals(a.get(600), c.get(600))).isFalse();
    }

    @Test
    void shouldPeakTrafficAtRushHourAndQuietAtNight() {
        List<double[]> week = week(new CityDevices.Traffic(), 5);
        int[] weekdays = {0, 1, 2, 3, 4};

        assertThat(meanAt(week, weekdays, 8, 0)).isGreaterThan(3 * meanAt(week, weekdays, 3, 0));
        assertThat(meanAt(week, weekdays, 8, 1))
                .as("congestion slows traffic")
                .isLessThan(meanAt(week, weekdays, 3, 1));
    }

    @Test
    void shouldRaiseAirPollutionAtRushHour() {
        List<double[]> week = week(new CityDevices.AirQuality(), 6);
        int[] weekdays = {0, 1, 2, 3, 4};

        assertThat(meanAt(week, weekdays, 8, 0)).isGreaterThan(meanAt(week, weekdays, 3, 0) * 1.3);
        assertThat(week).allSatisfy(row -> assertThat(row[2]).as("pm10 >= pm25").isGreaterThanOrEqualTo(row[1]));
    }

    @Test
    void shouldLightStreetsOnlyInTheDark() {
        List<double[]> week = week(new CityDevices.StreetLight(), 7);

        assertThat(valueAt(week, 2, 22, 1)).isEqualTo(1);
        assertThat(valueAt(week, 2, 22, 0)).isGreaterThan(60);
        assertThat(valueAt(week, 2, 12, 1)).isEqualTo(0);
        assertThat(valueAt(week, 2, 12, 0)).isLessThan(1);
    }

    @Test
    void shouldKeepPercentagesWithinZeroAndHundred() {
        assertThat(week(new CityDevices.Parking(), 8))
                .allSatisfy(row -> assertThat(row[1]).isBetween(0.0, 100.0));
        assertThat(week(new CityDevices.Weather(), 8))
                .allSatisfy(row -> assertThat(row[2]).isBetween(0.0, 100.0));
    }

    @Test
    void shouldRunMachinesInWeekdayShiftsOnly() {
        List<double[]> week = week(new FactoryDevices.Cnc(), 9);

        assertThat(valueAt(week, 1, 10, 2)).as("spindle speed Tuesday 10:00").isGreaterThan(5000);
        assertThat(valueAt(week, 1, 3, 2)).as("spindle speed Tuesday 03:00").isZero();
        assertThat(valueAt(week, 5, 10, 2)).as("spindle speed Saturday 10:00").isZero();
        assertThat(valueAt(week, 2, 14, 2)).as("shift change").isZero();
    }

    @Test
    void shouldMakeCncPowerAndTemperatureFollowSpindleSpeed() {
        List<double[]> week = week(new FactoryDevices.Cnc(), 10);
        // metrics: spindle_temp, vibration_rms, spindle_speed, power
        assertThat(valueAt(week, 1, 10, 3)).isGreaterThan(valueAt(week, 1, 3, 3) + 5);
        assertThat(valueAt(week, 1, 10, 1)).isGreaterThan(valueAt(week, 1, 3, 1));
        // Thermal lag: five minutes after start-up the spindle is warmer than idle but not yet at its level.
        double idle = valueAt(week, 1, 5.9, 0);
        double fiveMinutes = valueAt(week, 1, 6 + 5.0 / 60, 0);
        double oneHour = valueAt(week, 1, 7, 0);
        assertThat(fiveMinutes).isGreaterThan(idle + 3).isLessThan(oneHour - 3);
    }

    @Test
    void shouldCycleCompressorPressureBetweenItsSetPoints() {
        List<double[]> week = week(new FactoryDevices.Compressor(), 11);
        List<double[]> shift = week.subList(24 * 60 + 9 * 60, 24 * 60 + 12 * 60);

        assertThat(shift).allSatisfy(row -> assertThat(row[1]).isBetween(6.3, 7.7));
        assertThat(shift.stream().mapToDouble(row -> row[2]).max().orElseThrow())
                .isGreaterThan(40);
        assertThat(shift.stream().mapToDouble(row -> row[2]).min().orElseThrow())
                .isLessThan(15);
    }

    @Test
    void shouldRoundToTheMetricsDecimals() {
        Metric metric = Metric.gauge("x", "u", 2);

        assertThat(metric.round(12.345678)).isEqualTo(12.35);
        assertThat(metric.round(-0.014)).isEqualTo(-0.01);
        assertThat(Metric.gauge("n", "u", 0).round(41.5)).isEqualTo(42.0);
    }
}
