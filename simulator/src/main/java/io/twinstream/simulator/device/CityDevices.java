package io.twinstream.simulator.device;

import static io.twinstream.simulator.device.DeviceModel.noise;

import java.util.List;
import java.util.SplittableRandom;

/** Value models of the smart-city device types. Typical values are those of a European city. */
public final class CityDevices {

    private CityDevices() {}

    /** Particulates and gases: traffic-driven pm and no2 at rush hours, ozone with sunlight. */
    public static final class AirQuality extends BaseModel {
        public AirQuality() {
            super(
                    "air-quality",
                    "city",
                    "aq",
                    2,
                    List.of(
                            Metric.gauge("pm25", "ug/m3", 1), Metric.gauge("pm10", "ug/m3", 1),
                            Metric.gauge("no2", "ug/m3", 1), Metric.gauge("o3", "ug/m3", 1)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 8 + 8 * r.nextDouble(); // background pm25 of this street
            s[1] = 1.5 + 0.4 * r.nextDouble(); // pm10 / pm25 ratio
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double rush = Cycles.rush(t.hour(), t.dayOfWeek());
            out[0] = Math.max(0, s[0] * (1 + 0.7 * rush) + noise(r, 1.5));
            out[1] = Math.max(out[0], out[0] * s[1] + noise(r, 2.0));
            out[2] = Math.max(0, 15 + 35 * rush + noise(r, 3.0));
            out[3] = Math.max(0, 20 + 45 * Cycles.bell(t.hour(), 15, 3) - 12 * rush + noise(r, 3.0));
        }
    }

    /** Sound level: traffic by day, quiet at night. */
    public static final class Noise extends BaseModel {
        public Noise() {
            super("noise", "city", "noise", 1, List.of(Metric.gauge("db", "dB", 1)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 42 + 8 * r.nextDouble(); // how loud this spot is
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            boolean night = t.hour() < 6 || t.hour() >= 22;
            out[0] = s[0] + (night ? 0 : 10) + 15 * Cycles.rush(t.hour(), t.dayOfWeek()) + noise(r, 2.5);
        }
    }

    /** Vehicles counted since the previous reading and their mean speed; congestion at rush hour. */
    public static final class Traffic extends BaseModel {
        public Traffic() {
            super(
                    "traffic",
                    "city",
                    "traffic",
                    1,
                    List.of(Metric.gauge("vehicles", "count", 0), Metric.gauge("speed", "km/h", 1)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 600 + 1400 * r.nextDouble(); // road capacity, vehicles per hour
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double rush = Math.min(1.0, Cycles.rush(t.hour(), t.dayOfWeek()));
            double night = t.hour() < 5 || t.hour() >= 23 ? 0.05 : 0.25;
            double perHour = s[0] * (night + 0.75 * rush);
            double expected = perHour * Math.max(dt, 1.0 / 360); // at least a 10 s interval's worth
            out[0] = Math.max(0, Math.round(expected + noise(r, Math.sqrt(expected + 1))));
            out[1] = Math.max(5, 52 * (1 - 0.55 * rush) + noise(r, 4));
        }
    }

    /** Share of occupied parking spaces: offices by day on weekdays, shopping at weekends. */
    public static final class Parking extends BaseModel {
        public Parking() {
            super("parking", "city", "parking", 0, List.of(Metric.gauge("occupancy", "%", 1)));
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double demand =
                    Cycles.weekend(t.dayOfWeek()) ? Cycles.bell(t.hour(), 15, 3.5) : Cycles.bell(t.hour(), 12.5, 3.0);
            out[0] = Math.min(100, Math.max(0, 15 + 80 * demand + noise(r, 3)));
        }
    }

    /** Household electricity: morning and evening peaks; the energy counter integrates power. */
    public static final class ElectricityMeter extends BaseModel {
        public ElectricityMeter() {
            super(
                    "electricity-meter",
                    "city",
                    "em",
                    2,
                    List.of(Metric.counter("energy", "kWh", 3), Metric.gauge("power", "kW", 3)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 1000 + 20000 * r.nextDouble(); // meter reading at installation
            s[1] = 0.7 + 0.6 * r.nextDouble(); // household size factor
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double power =
                    s[1] * (0.25 + 1.2 * Cycles.bell(t.hour(), 7.5, 1.0) + 1.8 * Cycles.bell(t.hour(), 19.5, 2.0))
                            + Math.abs(noise(r, 0.08));
            s[0] += power * dt;
            out[0] = s[0];
            out[1] = power;
        }
    }

    /** Water: flow in l/min with morning and evening peaks; the volume counter integrates it. */
    public static final class WaterMeter extends BaseModel {
        public WaterMeter() {
            super(
                    "water-meter",
                    "city",
                    "wm",
                    1,
                    List.of(Metric.counter("volume", "m3", 4), Metric.gauge("flow", "l/min", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 100 + 900 * r.nextDouble();
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double flow = Math.max(
                    0,
                    0.2 + 6 * Cycles.bell(t.hour(), 7.0, 0.8) + 4 * Cycles.bell(t.hour(), 20.0, 1.5) + noise(r, 0.3));
            s[0] += flow * 60 * dt / 1000; // l/min over dt hours, in m3
            out[0] = s[0];
            out[1] = flow;
        }
    }

    /** District heating: more power at night and in the morning; the energy counter integrates it. */
    public static final class HeatMeter extends BaseModel {
        public HeatMeter() {
            super(
                    "heat-meter",
                    "city",
                    "hm",
                    1,
                    List.of(Metric.counter("energy", "kWh", 2), Metric.gauge("power", "kW", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 5000 + 50000 * r.nextDouble();
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double power = Math.max(
                    0, 8 + 6 * Cycles.bell(t.hour(), 6.5, 1.5) - 3 * Cycles.daylight(t.hour()) + noise(r, 0.5));
            s[0] += power * dt;
            out[0] = s[0];
            out[1] = power;
        }
    }

    /** Street light: on when dark (power ~70 W), standby by day. */
    public static final class StreetLight extends BaseModel {
        public StreetLight() {
            super(
                    "street-light",
                    "city",
                    "light",
                    0,
                    List.of(Metric.gauge("power", "W", 1), Metric.gauge("on", "bool", 0)));
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            boolean on = Cycles.dark(t.hour());
            out[0] = on ? 70 + noise(r, 1.5) : 0.4 + Math.abs(noise(r, 0.05));
            out[1] = on ? 1 : 0;
        }
    }

    /** Weather station: daily temperature wave, humidity opposite to it, gusty wind. */
    public static final class Weather extends BaseModel {
        public Weather() {
            super(
                    "weather",
                    "city",
                    "weather",
                    1,
                    List.of(
                            Metric.gauge("temperature", "Cel", 1),
                            Metric.gauge("humidity", "%RH", 1),
                            Metric.gauge("wind", "m/s", 1)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = -2 + 6 * r.nextDouble(); // mean temperature of the day
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double wave = Math.sin(2 * Math.PI * (t.hour() - 9) / 24);
            out[0] = s[0] + 4 * wave + noise(r, 0.3);
            out[1] = Math.min(100, Math.max(20, 80 - 10 * wave + noise(r, 2)));
            out[2] = Math.abs(3.5 + 1.5 * wave + noise(r, 1.2));
        }
    }
}
