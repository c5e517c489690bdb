package io.twinstream.infra.stack.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CPU time and peak resident memory of a set of processes over a run, from {@code /proc}: sampled
 * every 500 ms (a process that ends keeps its last sample), reported as average cores used over the
 * run and the peak RSS ({@code VmHWM}). For the benchmarks, which print what each process of the
 * pipeline costs; Linux only (elsewhere every figure is 0).
 */
public final class ProcessUsage {

    private static final double TICKS_PER_SECOND = 100; // CLK_TCK on Linux

    private final Map<String, Long> pids;
    private final Map<String, Long> ticksAtStart = new LinkedHashMap<>();
    private final Map<String, Long> ticksLast = new LinkedHashMap<>();
    private final Map<String, Long> peakRss = new LinkedHashMap<>();
    private volatile boolean running;
    private Thread sampler;
    private long startedAt;
    private long stoppedAt;

    public ProcessUsage(Map<String, Long> pids) {
        this.pids = new LinkedHashMap<>(pids);
    }

    public void track(String name, long pid) {
        pids.put(name, pid);
    }

    public void start() {
        startedAt = System.nanoTime();
        pids.forEach((name, pid) -> ticksAtStart.put(name, ticks(pid)));
        running = true;
        sampler = new Thread(
                () -> {
                    while (running) {
                        sample();
                        try {
                            Thread.sleep(500);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "bench-process-usage");
        sampler.setDaemon(true);
        sampler.start();
    }

    public void stop() throws InterruptedException {
        sample();
        running = false;
        sampler.interrupt();
        sampler.join();
        stoppedAt = System.nanoTime();
    }

    private synchronized void sample() {
        pids.forEach((name, pid) -> {
            long ticks = ticks(pid);
            if (ticks >= 0) {
                ticksLast.put(name, ticks);
            }
            long rss = status(pid, "VmHWM:");
            if (rss > 0) {
                peakRss.merge(name, rss, Math::max);
            }
        });
    }

    public synchronized void print(PrintStream out, String label) {
        double seconds = (stoppedAt - startedAt) / 1e9;
        out.printf(
                "%s: per process over the %.0f s run (average cores of %d; peak resident memory):%n",
                label, seconds, Runtime.getRuntime().availableProcessors());
        double total = 0;
        for (String name : pids.keySet()) {
            double cores = cpuSeconds(name) / seconds;
            total += cores;
            out.printf(
                    "%s:   %-12s %5.2f cores   %,6d MiB%n",
                    label, name, cores, peakRss.getOrDefault(name, 0L) / 1024 / 1024);
        }
        out.printf("%s:   %-12s %5.2f cores%n", label, "all", total);
    }

    /** CPU seconds the process used from {@link #start()} to its last sample. */
    public synchronized double cpuSeconds(String name) {
        long used = ticksLast.getOrDefault(name, 0L) - Math.max(0, ticksAtStart.getOrDefault(name, 0L));
        return used / TICKS_PER_SECOND;
    }

    /** utime + stime of the process, in clock ticks; -1 when it is gone. */
    private static long ticks(long pid) {
        if (pid <= 0) {
            return -1;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // fields 14 and 15 of stat
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A {@code /proc/<pid>/status} value in bytes (kB lines); 0 when gone. */
    private static long status(long pid, String key) {
        if (pid <= 0) {
            return 0;
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }
}
