package io.twinstream.pipeline.live;

/**
 * One look at every stage, as the demo's progress line prints it and the live page shows it.
 *
 * @param phase            what the demo is doing (publishing, settling)
 * @param published        readings the simulator has published
 * @param ingested         readings the ingest bridge has written to Kafka
 * @param deadLettered     messages the bridge sent to the dead-letter topic
 * @param inKafka          records on telemetry.readings
 * @param metricsLag       telemetry.readings records the metrics job has not yet committed (at its checkpoints)
 * @param alertsLag        the same for the alerts job
 * @param deviceWindows    device windows in InfluxDB
 * @param alertsRaised     alert transitions to raised in InfluxDB
 * @param alertsCleared    alert transitions to cleared in InfluxDB
 * @param perSecond        published, ingested and device windows per second since the previous look
 */
public record PipelineRates(
        String phase,
        long published,
        long ingested,
        long deadLettered,
        long inKafka,
        long metricsLag,
        long alertsLag,
        long deviceWindows,
        long alertsRaised,
        long alertsCleared,
        Rates perSecond) {

    /** Per second since the previous look. */
    public record Rates(double published, double ingested, double deviceWindows) {}
}
