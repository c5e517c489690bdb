package io.twinstream.simulator.device;

import static io.twinstream.simulator.device.DeviceModel.noise;

import java.util.List;
import java.util.SplittableRandom;

/** Value models of the factory device types: machines run in two weekday shifts. */
public final class FactoryDevices {

    private FactoryDevices() {}

    /**
     * CNC machine: spindle speed set by the job; power and vibration follow speed; spindle
     * temperature follows speed with a thermal lag of about ten minutes.
     */
    public static final class Cnc extends BaseModel {
        public Cnc() {
            super(
                    "cnc",
                    "factory",
                    "cnc",
                    2,
                    List.of(
                            Metric.gauge("spindle_temp", "Cel", 2), Metric.gauge("vibration_rms", "mm/s", 3),
                            Metric.gauge("spindle_speed", "rpm", 0), Metric.gauge("power", "kW", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 24; // spindle temperature now
            s[1] = 7000 + 5000 * r.nextDouble(); // the speed of this machine's current job
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            boolean running = Cycles.shift(t.hour(), t.dayOfWeek()) && !Cycles.shiftChange(t.hour());
            double speed = running ? Math.max(0, s[1] + noise(r, 40)) : 0;
            double target = 24 + 0.0035 * speed;
            s[0] += (target - s[0]) * (1 - Math.exp(-dt * 6)); // time constant 10 min
            out[0] = s[0] + noise(r, 0.15);
            out[1] = Math.max(0.05, 0.3 + 0.00018 * speed + Math.abs(noise(r, 0.05)));
            out[2] = speed;
            out[3] = Math.max(0.3, 0.8 + 0.0011 * speed + noise(r, 0.1));
        }
    }

    /** Furnace: held at its set point during shifts, banked low outside them; CO2 flow follows heat. */
    public static final class Furnace extends BaseModel {
        public Furnace() {
            super(
                    "furnace",
                    "factory",
                    "furnace",
                    2,
                    List.of(Metric.gauge("temperature", "Cel", 1), Metric.gauge("co2_flow", "m3/h", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 300; // temperature now
            s[1] = 820 + 60 * r.nextDouble(); // set point
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double target = Cycles.shift(t.hour(), t.dayOfWeek()) ? s[1] : 300;
            s[0] += (target - s[0]) * (1 - Math.exp(-dt * 2)); // time constant 30 min
            out[0] = s[0] + noise(r, 2);
            out[1] = Math.max(0, 2 + 0.012 * s[0] + noise(r, 0.2));
        }
    }

    /** Screw compressor: loads until 7.5 bar, unloads down to 6.5 bar; power high when loaded. */
    public static final class Compressor extends BaseModel {
        public Compressor() {
            super(
                    "compressor",
                    "factory",
                    "comp",
                    2,
                    List.of(Metric.gauge("pressure", "bar", 3), Metric.gauge("power", "kW", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 6.5 + r.nextDouble(); // pressure now
            s[1] = 1; // 1 loaded, 0 unloaded
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double draw = Cycles.shift(t.hour(), t.dayOfWeek()) ? 20 : 3; // bar per hour the plant draws
            s[0] += ((s[1] == 1 ? 30 : 0) - draw) * dt; // loaded, it delivers 30 bar/h
            if (s[0] >= 7.5) { // the pressure switch: unload at 7.5 bar ...
                s[0] = 7.5;
                s[1] = 0;
            } else if (s[0] <= 6.5) { // ... load again at 6.5 bar
                s[0] = 6.5;
                s[1] = 1;
            }
            out[0] = s[0] + noise(r, 0.01);
            out[1] = (s[1] == 1 ? 45 : 12) + noise(r, 0.8);
        }
    }

    /** Conveyor: items per minute during shifts; motor current follows the load. */
    public static final class Conveyor extends BaseModel {
        public Conveyor() {
            super(
                    "conveyor",
                    "factory",
                    "conv",
                    1,
                    List.of(Metric.gauge("items_per_min", "1/min", 1), Metric.gauge("motor_current", "A", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 100 + 40 * r.nextDouble(); // line rate
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            boolean running = Cycles.shift(t.hour(), t.dayOfWeek()) && !Cycles.shiftChange(t.hour());
            double items = running ? Math.max(0, s[0] + noise(r, 6)) : 0;
            out[0] = items;
            out[1] = (running ? 3.0 : 0.4) + 0.045 * items + noise(r, 0.1);
        }
    }

    /** Plant energy meter: base load plus production load; the counter integrates power. */
    public static final class EnergyMeter extends BaseModel {
        public EnergyMeter() {
            super(
                    "energy-meter",
                    "factory",
                    "energy",
                    2,
                    List.of(Metric.counter("energy", "kWh", 2), Metric.gauge("power", "kW", 2)));
        }

        @Override
        public void init(double[] s, SplittableRandom r) {
            s[0] = 100_000 + 900_000 * r.nextDouble();
            s[1] = 300 + 400 * r.nextDouble(); // production load of this feeder, kW
        }

        @Override
        public void sample(double[] s, Clock t, double dt, SplittableRandom r, double[] out) {
            double power = Math.max(0, 60 + (Cycles.shift(t.hour(), t.dayOfWeek()) ? s[1] : 0) + noise(r, 8));
            s[0] += power * dt;
            out[0] = s[0];
            out[1] = power;
        }
    }
}
