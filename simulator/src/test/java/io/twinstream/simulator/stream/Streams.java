package io.twinstream.simulator.stream;

import io.twinstream.simulator.scenario.ScenarioParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helpers: scenarios from YAML snippets, whole streams, and a reader for JSON readings. */
public final class Streams {

    private static final Pattern JSON_READING =
            Pattern.compile("\\{\"ts\":(\\d+),\"seq\":(\\d+),\"metrics\":\\{(.*)}}");

    private Streams() {}

    /** A scenario with one site of one fleet, plus extra top-level YAML (faults, episodes ...). */
    public static DeviceFleet fleet(
            String deviceType, int count, String interval, String format, String duration, String extraYaml) {
        String domain = deviceType.matches("cnc|furnace|compressor|conveyor|energy-meter") ? "factory" : "city";
        String yaml = String.join(
                "\n",
                "name: test",
                "seed: 42",
                "start: 2026-01-05T00:00:00Z", // a Monday at midnight, pinned: the models' cycles make values depend on
                // the hour
                "duration: " + duration,
                "speed: max",
                "publish: { qos: 1, connections: gateway, devicesPerGateway: 10, batchSize: 5 }",
                "sites:",
                "  - name: site-a",
                "    domain: " + domain,
                "    devices:",
                "      " + deviceType + ": { count: " + count + ", interval: " + interval + ", format: " + format
                        + " }",
                extraYaml);
        return new DeviceFleet(ScenarioParser.parse("test.yaml", yaml), 1);
    }

    public static List<SimMessage> all(DeviceFleet fleet, StreamObserver observer) {
        MessageGenerator generator = new MessageGenerator(fleet, observer);
        List<SimMessage> messages = new ArrayList<>();
        for (SimMessage m = generator.next(); m != null; m = generator.next()) {
            messages.add(m);
        }
        return messages;
    }

    /** ts, seq, then the metric values in payload order, of a JSON-format reading. */
    public static double[] parseJson(byte[] payload) {
        Matcher m = JSON_READING.matcher(new String(payload, StandardCharsets.UTF_8));
        if (!m.matches()) {
            throw new IllegalArgumentException("not a JSON reading: " + new String(payload, StandardCharsets.UTF_8));
        }
        String[] pairs = m.group(3).split(",");
        double[] out = new double[2 + pairs.length];
        out[0] = Long.parseLong(m.group(1));
        out[1] = Long.parseLong(m.group(2));
        for (int i = 0; i < pairs.length; i++) {
            out[2 + i] = Double.parseDouble(pairs[i].substring(pairs[i].indexOf(':') + 1));
        }
        return out;
    }
}
