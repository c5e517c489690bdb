package io.twinstream.jobs.bench;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;

/**
 * A sink that adds its input up under a name and keeps nothing: for benchmark peers whose tasks run
 * in the peer's own JVM (a local MiniCluster), so a static counter is theirs.
 * {@link #reportEvery100ms()} prints {@code READ name1 n1 name2 n2 …} lines for the benchmark to read.
 */
final class CountingSink implements Sink<Long> {

    private static final long serialVersionUID = 1L;
    private static final Map<String, AtomicLong> COUNTS = new ConcurrentHashMap<>();

    private final String name;

    CountingSink(String name) {
        this.name = name;
        COUNTS.computeIfAbsent(name, n -> new AtomicLong());
    }

    static long count(String name) {
        return COUNTS.computeIfAbsent(name, n -> new AtomicLong()).get();
    }

    /** Starts a daemon thread that prints every counter every 100 ms. */
    static void reportEvery100ms() {
        Thread reporter = new Thread(
                () -> {
                    while (true) {
                        StringBuilder line = new StringBuilder("READ");
                        COUNTS.forEach((name, count) ->
                                line.append(' ').append(name).append(' ').append(count.get()));
                        System.out.println(line);
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "report");
        reporter.setDaemon(true);
        reporter.start();
    }

    @Override
    public SinkWriter<Long> createWriter(WriterInitContext context) {
        AtomicLong counter = COUNTS.computeIfAbsent(name, n -> new AtomicLong());
        return new SinkWriter<>() {
            @Override
            public void write(Long value, Context context) {
                counter.addAndGet(value);
            }

            @Override
            public void flush(boolean endOfInput) {}

            @Override
            public void close() {}
        };
    }
}
