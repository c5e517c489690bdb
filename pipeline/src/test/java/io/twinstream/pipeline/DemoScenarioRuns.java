package io.twinstream.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

import io.twinstream.pipeline.audit.Audit;
import io.twinstream.pipeline.audit.AuditReport;
import io.twinstream.simulator.publish.MqttPublisher;
import io.twinstream.simulator.scenario.Scenario;
import io.twinstream.simulator.stream.DeviceFleet;
import io.twinstream.simulator.stream.MessageGenerator;
import io.twinstream.simulator.stream.StreamObserver;

/** What the tests that play a scenario through the whole pipeline share: publishing it, auditing the result. */
final class DemoScenarioRuns {

    private DemoScenarioRuns() {
    }

    /** Publishes {@code scenario} to the broker at {@code mqttUrl} on {@code runner}, at the scenario's speed. */
    static Future<?> publish(ExecutorService runner, Scenario scenario, String mqttUrl) {
        DeviceFleet fleet = new DeviceFleet(scenario, 1.0);
        return runner.submit(() -> {
            MqttPublisher publisher = new MqttPublisher(fleet,
                    new MqttPublisher.Settings(mqttUrl, null, null, scenario.speed(), true).withRetryUnrouted(true));
            try {
                publisher.connectAll();
                publisher.run(new MessageGenerator(fleet, StreamObserver.NONE));
                publisher.drainAll();
            } finally {
                publisher.close();
            }
            return null;
        });
    }

    /**
     * Audits until the result is clean or {@code within} has passed, prints the last report and
     * asserts it clean; returns it for further checks.
     */
    static AuditReport assertCleanWithin(Audit.Expectation expected, Audit.Target target, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        AuditReport report = Audit.run(expected, target);
        while (!report.clean() && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            report = Audit.run(expected, target);
        }
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        report.print(new PrintStream(printed, true, StandardCharsets.UTF_8));
        String text = printed.toString(StandardCharsets.UTF_8);
        System.out.println(text);
        assertThat(report.clean()).as(text).isTrue();
        return report;
    }
}
